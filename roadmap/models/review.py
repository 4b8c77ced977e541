"""The Share phase's review: what readers of a share link answer, and the team's triage.

A reviewer has no account: they give a name and an e-mail address once (a `ShareReview`), then
answer the seed article's three questions and comment on initiatives (`Feedback` rows).
The team triages each piece (open, accepted, declined with an answer); the reviewer reads
the answers through the same link. New feedback is e-mailed to the roadmap's owner in
batches (`roadmap/review_mail.py`).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from roadmap.models.core import Initiative, Roadmap
from roadmap.models.sharing import ShareLink
from roadmap_site.models import OrgManager, OrgOwned, OrgQuerySet

__all__ = [
    "Feedback",
    "FeedbackKind",
    "FeedbackQuerySet",
    "ReviewQuestion",
    "ShareReview",
    "TriageState",
]

# Long enough for a considered paragraph, short enough that a pasted essay or a bot's
# payload is refused rather than stored.
FEEDBACK_MAX_CHARS = 2000


class ReviewQuestion(models.TextChoices):
    """The seed article's Share-phase questions, asked of every reviewer."""

    PROBLEMS = "problems", "Are we solving the right problems?"
    AUDIENCES = "audiences", "Are we prioritising the right audiences?"
    CONSTRAINTS = "constraints", "What constraints have we missed?"


class FeedbackKind(models.TextChoices):
    """What a comment on an initiative is (an answer to a question has no kind)."""

    AGREE = "agree", "Agree"
    CONCERN = "concern", "Concern"
    QUESTION = "question", "Question"


class TriageState(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class ShareReview(OrgOwned):
    """One reviewer's visit through a share link: who they are, and their feedback."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="reviews")
    # Not "reviews": the Iterate phase's quarterly `RoadmapReview` holds that name.
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="share_reviews")
    name = models.CharField("your name", max_length=120)
    email = models.EmailField("your e-mail address", max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class FeedbackQuerySet(OrgQuerySet):
    def for_inbox(self) -> FeedbackQuerySet:
        return self.select_related("review", "initiative", "answered_by").order_by(
            "created_at", "pk"
        )

    def to_notify(self) -> FeedbackQuerySet:
        return self.filter(notified_at__isnull=True)


class Feedback(OrgOwned):
    """An answer to one of the three questions, or a comment on one initiative."""

    review = models.ForeignKey(ShareReview, on_delete=models.CASCADE, related_name="feedback")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="feedback")
    question = models.CharField(max_length=20, choices=ReviewQuestion.choices, blank=True)
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    kind = models.CharField(max_length=10, choices=FeedbackKind.choices, blank=True)
    text = models.TextField(max_length=FEEDBACK_MAX_CHARS)
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=TriageState.choices, default=TriageState.OPEN)
    # The team's answer, which the reviewer reads through their link.
    answer = models.TextField(blank=True, max_length=FEEDBACK_MAX_CHARS)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # When the roadmap's owner was e-mailed about it; empty = in the next batch.
    notified_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar = OrgManager.from_queryset(FeedbackQuerySet)()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # An answer to a question, or a comment (with its kind) on an initiative.
            models.CheckConstraint(
                condition=(models.Q(question="", initiative__isnull=False) & ~models.Q(kind=""))
                | models.Q(~models.Q(question=""), initiative__isnull=True, kind=""),
                name="feedback_answers_a_question_or_comments_an_initiative",
            ),
            # A decline says why: the reviewer reads it.
            models.CheckConstraint(
                condition=~models.Q(state="declined") | ~models.Q(answer=""),
                name="feedback_declined_with_an_answer",
            ),
        ]
        indexes = [
            # The Share page's inbox: a roadmap's feedback in order.
            models.Index(fields=["roadmap", "created_at"], name="feedback_roadmap_created"),
            # The batched e-mail: what has not been sent yet.
            models.Index(
                fields=["org"],
                condition=models.Q(notified_at__isnull=True),
                name="feedback_to_notify",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    def triage(self, *, state: str, answer: str, by) -> None:
        """Set the state and the answer the reviewer reads, together."""
        self.state = state
        self.answer = answer.strip()
        self.answered_by = by if self.answer else None
        self.answered_at = timezone.now() if self.answer else None
        self.save(update_fields=["state", "answer", "answered_by", "answered_at"])
