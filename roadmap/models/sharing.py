"""Share links: a secret, read-only, revocable address of one roadmap."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from roadmap.models.core import (
    COMMITTED_STATUSES,
    InitiativeQuerySet,
    InitiativeStatus,
    Roadmap,
)
from roadmap_site.models import OrgManager, OrgOwned, OrgQuerySet, hash_token, new_token

__all__ = ["ShareLink", "ShareLinkQuerySet"]


class ShareLinkQuerySet(OrgQuerySet):
    def active(self) -> ShareLinkQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ShareLink(OrgOwned):
    """A secret, read-only, revocable link to one roadmap.

    Only the SHA-256 of the token is stored: the token is shown once, when the link is
    made, and a leaked database does not reveal working links.
    """

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="share_links")
    label = models.CharField(
        max_length=150, blank=True, help_text="Who the link is for, e.g. “Exec team review”."
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # The Share phase shows what we commit to; proposals only when the team chooses to ask
    # the business about them.
    include_proposed = models.BooleanField(
        "include proposed initiatives",
        default=False,
        help_text="Also show initiatives not committed yet, marked “Proposed”.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar = OrgManager.from_queryset(ShareLinkQuerySet)()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label or f"Share link {self.pk}"

    @classmethod
    def issue(
        cls,
        *,
        roadmap: Roadmap,
        created_by,
        label: str = "",
        expires_at=None,
        include_proposed: bool = False,
    ):
        """Make a link; returns it with the token, which is never stored and shown once."""
        token = new_token()
        link = cls.objects.create(
            org=roadmap.org,
            roadmap=roadmap,
            label=label,
            include_proposed=include_proposed,
            created_by=created_by,
            expires_at=expires_at,
            token_hash=hash_token(token),
        )
        return link, token

    @classmethod
    def find_active(cls, token: str) -> ShareLink | None:
        return (
            cls.objects.active()
            .select_related("roadmap__org", "org")
            .filter(token_hash=hash_token(token))
            .first()
        )

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.is_active else "expired"

    def initiatives(self) -> InitiativeQuerySet:
        """What the link shows: the commitments, and the proposals if the link says so."""
        statuses = list(COMMITTED_STATUSES)
        if self.include_proposed:
            statuses.append(InitiativeStatus.PROPOSED)
        return self.roadmap.initiatives.for_ledger().filter(status__in=statuses)

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    # "Last used" is shown to the minute: a link opened again within it is not written
    # again. Twenty readers of one link would otherwise queue on the lock of its row.
    USE_RECORDED_EVERY = timedelta(minutes=1)

    def mark_used(self) -> None:
        now = timezone.now()
        if self.last_used_at is not None and now - self.last_used_at < self.USE_RECORDED_EVERY:
            return
        ShareLink.objects.filter(pk=self.pk).update(last_used_at=now)
        self.last_used_at = now
