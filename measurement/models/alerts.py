"""Alerts: what the alert rules (measurement/alerts.py) found, kept so it can be
acknowledged and sent in the weekly digest once per state."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from roadmap_site.models import Organization, OrgManager, OrgOwned, OrgQuerySet, Person


class AlertKind(models.TextChoices):
    KPI_OFF_TRACK = "kpi_off_track", "KPI off track"
    LEARNER_DECLINE = "learner_decline", "Active-learner decline"
    SENIOR_WITHOUT_TOUCHPOINT = "senior_without_touchpoint", "Senior stakeholder not met"
    SME_LATE = "sme_late", "SME not involved before build"
    IMPORT_FAILING = "import_failing", "Import failing"
    # The roadmap's quarterly review (roadmap/iterate.py registers the rule).
    ROADMAP_NOT_REVIEWED = "roadmap_not_reviewed", "Roadmap not reviewed for a quarter"


class AlertQuerySet(OrgQuerySet):
    def open(self) -> AlertQuerySet:
        return self.filter(resolved_at__isnull=True)

    def unacknowledged(self) -> AlertQuerySet:
        return self.filter(acknowledged_at__isnull=True)

    def to_notify(self) -> AlertQuerySet:
        """Open, unacknowledged, and not yet sent in the state it is in now."""
        return self.open().unacknowledged().exclude(notified_state=F("state"))


class Alert(OrgOwned):
    kind = models.CharField(max_length=40, choices=AlertKind.choices)
    # Unique within the kind: "kpi:12", "person:7", "initiative:3".
    subject = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    url = models.CharField("where its cause is shown", max_length=500)
    # What the rule says about the subject now ("off_track", "Q3 FY27"); a change re-opens
    # the alert and sends it again.
    state = models.CharField(max_length=100)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ack_note = models.TextField("note", blank=True)
    notified_state = models.CharField(max_length=100, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar = OrgManager.from_queryset(AlertQuerySet)()

    class Meta:
        ordering = ["kind", "first_seen", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["org", "kind", "subject"], name="alert_natural_key"),
        ]
        indexes = [
            # The dashboard lists an organisation's open alerts; the digest reads them too.
            models.Index(
                fields=["org", "kind"], condition=Q(resolved_at__isnull=True), name="alert_open"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    def acknowledge(self, *, by, note: str) -> None:
        """Seen, with what is being done about it; it comes back if its state changes."""
        self.acknowledged_at = timezone.now()
        self.acknowledged_by = by
        self.ack_note = note
        self.save(update_fields=["acknowledged_at", "acknowledged_by", "ack_note"])


class AlertRefresh(OrgOwned):
    """When an organisation's alerts were last worked out, and from which version of its
    data: the dashboard refreshes them only when the version or the day moved since."""

    org = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    day = models.DateField()
    refreshed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.org_id} at version {self.version} on {self.day}"

    @classmethod
    def is_stale(cls, org: Organization, today: date) -> bool:
        return not cls.objects.filter(org=org, version=org.version, day=today).exists()
