from __future__ import annotations

from datetime import date
from zoneinfo import available_timezones

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from roadmap_site import signin
from roadmap_site.access import current_page
from roadmap_site.cache import bump_org
from roadmap_site.models import ApiToken, Membership, Month, Organization, Person, Role, User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": (
            "Too many failed sign-ins with this address. Try again in %(minutes)s, "
            "or reset your password."
        ),
    }

    def clean_username(self) -> str:
        # Addresses are stored lower-cased (UserManager, SignupForm); the lookup is exact.
        return self.cleaned_data["username"].lower()

    def clean(self):
        """Refuse a locked address before checking its password; count failures.

        Known and unknown addresses go through the same steps and get the same answers.
        """
        email = self.cleaned_data.get("username")
        if email:
            seconds = signin.locked_for(email)
            if seconds:
                minutes = -(-seconds // 60)
                raise forms.ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"minutes": f"{minutes} minute{'s' if minutes > 1 else ''}"},
                )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if email:
                signin.record_failure(email)
            raise
        if email:
            signin.record_success(email)
        return cleaned

    @property
    def is_locked(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, "locked")


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "fiscal_year_start_month", "time_zone"]
        labels = {"name": "Organisation name"}
        # A list to pick from; the model's validator still refuses a tampered name.
        widgets = {
            "time_zone": forms.Select(choices=[(z, z) for z in sorted(available_timezones())])
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out of a post (an older client, a script), the time zone stays as it is.
        self.fields["time_zone"].required = False

    def clean_time_zone(self) -> str:
        return self.cleaned_data["time_zone"] or self.instance.time_zone or "UTC"

    def save(self, commit: bool = True) -> Organization:
        org = super().save(commit=False)
        if not org.slug:
            org.slug = Organization.unique_slug(org.name)
        if commit:
            org.save()
            if org.pk:
                bump_org(org)
        return org


class SignupForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=150)
    email = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    org_name = forms.CharField(
        label="Organisation name",
        max_length=150,
        help_text="Your company or team. You will be its admin.",
    )
    fiscal_year_start_month = forms.TypedChoiceField(
        label="Fiscal year starts in",
        choices=Month.choices,
        coerce=int,
        initial=Month.JANUARY,
        # Absent from older clients' posts: then the calendar year, the model's default.
        required=False,
        empty_value=int(Month.JANUARY),  # type: ignore[arg-type]  # stubs: any value is allowed
        help_text="Strategies, roadmaps and their quarters follow your business's year.",
    )

    def __init__(self, *args, invitation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        if invitation is not None:
            # Joining through an invitation: the organisation already exists.
            del self.fields["org_name"]
            del self.fields["fiscal_year_start_month"]
            # The invitation binds to its address: shown, locked, and whatever is posted
            # in its place is ignored (a disabled field takes its initial value).
            self.fields["email"].initial = invitation.email
            self.fields["email"].disabled = True
            self.fields["email"].help_text = "The address this invitation was sent to."

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(
                "An account with this e-mail already exists. Sign in instead."
            )
        return email

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        password = cleaned.get("password")
        if password:
            user = User(email=cleaned.get("email", ""), name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned

    @transaction.atomic
    def save(self) -> User:
        data = self.cleaned_data
        user = User.objects.create_user(data["email"], data["password"], name=data["name"])
        if self.invitation is not None:
            self.invitation.accept(user)
        else:
            org = Organization.objects.create(
                name=data["org_name"],
                slug=Organization.unique_slug(data["org_name"]),
                fiscal_year_start_month=data["fiscal_year_start_month"],
            )
            Membership.objects.create(org=org, user=user, role=Role.ADMIN)
            Person.objects.create(
                org=org, name=user.name, email=user.email, user=user, is_ld_team=True
            )
        return user


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.EDITOR)

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if self.org.memberships.filter(user__email=email).exists():
            raise forms.ValidationError("This person is already a member.")
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class SwitchOrganizationForm(forms.Form):
    org = forms.IntegerField(widget=forms.HiddenInput)


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "email", "title", "department", "is_ld_team", "is_senior"]

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.org = org

    def save(self, commit: bool = True) -> Person:
        person = super().save(commit=commit)
        if commit:
            bump_org(person.org)  # names show on every page that lists owners
        return person

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Person.objects.for_org(self.instance.org).filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Someone with this name is already listed.")
        return name


class FiscalYearField(forms.IntegerField):
    """A fiscal year picked from the few a team plans for, each with its dates
    ("FY27 (1 Feb 2026 to 31 Jan 2027)", with a dash). The default is the year that holds
    most of the coming twelve months. Checked as a number, so a year posted from outside the
    list is judged by range like any other."""

    def __init__(self, *, org: Organization, today: date, **kwargs):
        default = org.default_fiscal_year(today)
        years = range(org.fiscal_year_of(today) - 1, default + 3)
        choices = [(year, fiscal_year_choice_label(org, year)) for year in years]
        kwargs.setdefault("label", "Fiscal year")
        kwargs.setdefault(
            "help_text", "Proposed: the year that holds most of the next twelve months."
        )
        super().__init__(
            min_value=2000,
            max_value=2100,
            initial=default,
            widget=forms.Select(choices=choices),
            **kwargs,
        )


def fiscal_year_choice_label(org: Organization, fiscal_year: int) -> str:
    start, end = org.fiscal_year_bounds(fiscal_year)
    dates = f"{start.day} {start:%b %Y} \N{EN DASH} {end.day} {end:%b %Y}"
    return f"FY{fiscal_year % 100:02d} ({dates})"


class NewPersonForm(PersonForm):
    """The few fields that make a person in place, from a picker's "New person…"."""

    class Meta(PersonForm.Meta):
        fields = ["name", "title", "email", "is_ld_team"]
        labels = {"email": "E-mail"}

    def __init__(self, *args, **kwargs):
        # Opened over another form (which has its own "name" or "title"): ids of its own.
        kwargs.setdefault("auto_id", "new-person-%s")
        super().__init__(*args, **kwargs)


class PersonSelect(forms.Select):
    """Every person picker: the select, and beside it "New person…".

    Without JavaScript that is a link to the People page, which returns here (`?next=`);
    with it (static/js/app.js) the link opens a dialog that posts to `person_create` and
    adds the new person to every picker of the page, selected in this one.
    """

    def __init__(self, attrs: dict | None = None, choices=()):
        super().__init__({"data-person-picker": "", **(attrs or {})}, choices)

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        select = super().render(name, value, attrs, renderer)
        html = render_to_string(
            "roadmap_site/person_picker.html", {"select": select, "next": current_page()}
        )
        # Rendered by a template that escapes its variables, like Django's own widgets.
        return mark_safe(html)  # noqa: S308


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "scope"]
        widgets = {"scope": forms.RadioSelect}
        help_texts = {
            "scope": "Read can only GET; read and write can also record values and requests."
        }
