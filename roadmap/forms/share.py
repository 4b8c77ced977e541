"""Share-phase forms: making a link, opening one behind a password, a reviewer's answers and
comments, and the team's triage."""

from __future__ import annotations

from datetime import date, datetime, time

from django import forms
from django.utils import timezone

from roadmap.models import (
    Cycle,
    Feedback,
    FeedbackKind,
    ReviewQuestion,
    Roadmap,
    ShareLink,
    TriageState,
)
from roadmap.models.review import FEEDBACK_MAX_CHARS
from strategy.models import Priority

PASSWORD_MIN_CHARS = 8


class ShareLinkForm(forms.ModelForm):
    expires_on = forms.DateField(
        required=False,
        label="Expires on",
        help_text="Leave empty for a link that works until you revoke it.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    password = forms.CharField(
        required=False,
        strip=False,
        min_length=PASSWORD_MIN_CHARS,
        max_length=128,
        help_text=f"Optional. At least {PASSWORD_MIN_CHARS} characters; send it separately "
        "from the link.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    priorities = forms.ModelMultipleChoiceField(
        queryset=Priority.objects.none(),
        required=False,
        label="Only these priorities",
        help_text="Leave empty to share the whole roadmap.",
        widget=forms.CheckboxSelectMultiple,
    )
    cycles = forms.ModelMultipleChoiceField(
        queryset=Cycle.objects.none(),
        required=False,
        label="Only these cycles",
        help_text="Leave empty to share every cycle.",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ShareLink
        fields = ["label", "audience", "include_proposed", "allow_feedback"]

    def __init__(self, *args, roadmap: Roadmap, **kwargs):
        super().__init__(*args, **kwargs)
        self.roadmap = roadmap
        priorities = self.fields["priorities"]
        assert isinstance(priorities, forms.ModelMultipleChoiceField)
        priorities.queryset = (
            Priority.objects.for_org(roadmap.org)
            .filter(strategy__fiscal_year=roadmap.fiscal_year)
            .ranked()
        )
        cycles = self.fields["cycles"]
        assert isinstance(cycles, forms.ModelMultipleChoiceField)
        cycles.queryset = roadmap.cycles.all()
        if not priorities.queryset.exists():
            del self.fields["priorities"]

    def clean_expires_on(self) -> date | None:
        day = self.cleaned_data["expires_on"]
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError("Choose a date after today.")
        return day

    def expires_at(self):
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time.max))

    def issue(self, *, by) -> tuple[ShareLink, str]:
        data = self.cleaned_data
        return ShareLink.issue(
            roadmap=self.roadmap,
            created_by=by,
            label=data["label"],
            audience=data["audience"],
            expires_at=self.expires_at(),
            include_proposed=data["include_proposed"],
            allow_feedback=data["allow_feedback"],
            password=data["password"],
            priorities=list(data.get("priorities") or []),
            cycles=list(data["cycles"]),
        )


class SharePasswordForm(forms.Form):
    password = forms.CharField(
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, link: ShareLink, **kwargs):
        super().__init__(*args, **kwargs)
        self.link = link

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.link.check_password(password):
            raise forms.ValidationError("That is not the password of this link.")
        return password


def _feedback_text(label: str, *, required: bool) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=FEEDBACK_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HoneypotMixin(forms.Form):
    # Hidden from people (CSS and aria-hidden); a bot that fills every field is caught.
    website = forms.CharField(required=False, label="Leave this empty")

    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class ReviewForm(HoneypotMixin):
    """Who the reviewer is, and their answers to the article's three questions."""

    name = forms.CharField(label="Your name", max_length=120)
    email = forms.EmailField(label="Your e-mail address", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in ReviewQuestion:
            self.fields[question.value] = _feedback_text(question.label, required=False)
        self.order_fields(["name", "email", *ReviewQuestion.values, "website"])

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not any((data.get(q) or "").strip() for q in ReviewQuestion.values):
            raise forms.ValidationError("Answer at least one of the three questions.")
        return data

    def answers(self) -> dict[str, str]:
        data = self.cleaned_data
        return {q: data[q].strip() for q in ReviewQuestion.values if data[q].strip()}


class CommentForm(HoneypotMixin):
    kind = forms.ChoiceField(
        label="Your view", choices=FeedbackKind.choices, widget=forms.RadioSelect
    )
    text = _feedback_text("Your comment", required=True)


class TriageForm(forms.ModelForm):
    state = forms.ChoiceField(label="Triage", choices=TriageState.choices, widget=forms.RadioSelect)
    answer = forms.CharField(
        label="Answer to the reviewer",
        required=False,
        max_length=FEEDBACK_MAX_CHARS,
        help_text="The reviewer reads it through their link. Required to decline.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Feedback
        fields = ["state", "answer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Unique ids per row: the inbox holds one form per piece of feedback.
        self.auto_id = f"triage-{self.instance.pk}-%s"

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("state") == TriageState.DECLINED and not (data.get("answer") or "").strip():
            self.add_error("answer", "Say why you decline it: the reviewer reads your answer.")
        return data

    def save(self, commit: bool = True, *, by=None) -> Feedback:
        self.instance.triage(
            state=self.cleaned_data["state"], answer=self.cleaned_data["answer"], by=by
        )
        return self.instance
