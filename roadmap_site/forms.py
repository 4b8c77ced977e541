from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction

from roadmap_site import signin
from roadmap_site.cache import bump_org
from roadmap_site.models import Membership, Organization, Person, Role, User


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
        fields = ["name", "fiscal_year_start_month"]
        labels = {"name": "Organisation name", "fiscal_year_start_month": "Fiscal year starts in"}
        widgets = {
            "fiscal_year_start_month": forms.Select(
                choices=[
                    (1, "January"),
                    (2, "February"),
                    (3, "March"),
                    (4, "April"),
                    (5, "May"),
                    (6, "June"),
                    (7, "July"),
                    (8, "August"),
                    (9, "September"),
                    (10, "October"),
                    (11, "November"),
                    (12, "December"),
                ]
            )
        }

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

    def __init__(self, *args, invitation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        if invitation is not None:
            # Joining through an invitation: the organisation already exists.
            del self.fields["org_name"]
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
        cleaned = super().clean()
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
                name=data["org_name"], slug=Organization.unique_slug(data["org_name"])
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
        fields = ["name", "email", "title", "department", "is_ld_team"]

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
