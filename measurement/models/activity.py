"""Learner activity: events, eligible learners per month, and the exact monthly rollup.

Events arrive by hand, from imports and (next) from an xAPI endpoint, always through
`measurement.engagement.record_events`, which keeps `ProgramMonth` exact for the months a
write touches. Pages read the rollup, never the millions of events.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from measurement.models.programs import Program
from roadmap_site.models import Organization, OrgManager, OrgOwned, OrgQuerySet


class LearnerEvent(OrgOwned):
    """One thing a learner did in a program: launched a module, passed a quiz, completed.

    Millions of rows arrive a file at a time, so the table carries only what its reads
    need: the primary key and one unique index (program, time, learner, type) that is at
    once the natural key a re-import upserts on and the index every read uses (the
    rollup's recount and the write window by program and time range, the export by
    program in time order, Django's cascade by program). Its time-second order also makes
    an import, whose rows mostly come in time order, append to the index instead of
    scattering over it.

    Neither foreign key is a database constraint: PostgreSQL checks one with a lookup
    per inserted row at commit, a quarter of an import's time. The writers keep the
    integrity instead: every write goes through `engagement.record_events` or the import
    path, which lock the program row first (a deleted program refuses the write) and set
    `org` from the program; a program's deletion removes its events through Django's
    collector and, on PostgreSQL, a trigger on the program row that also catches the
    events of an import that committed while the deletion waited for its lock (migration
    0005). An organisation's deletion goes through its programs, so `org` needs no index.
    """

    # Not a constraint nor an index of its own (see above): events go with their program.
    org = models.ForeignKey(
        Organization,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    # Pseudonymous: an LMS id or a hash of the e-mail address, never a name.
    learner_key = models.CharField(max_length=64)
    event_type = models.CharField(max_length=50, help_text="An xAPI verb's last segment.")
    occurred_at = models.DateTimeField()
    # The xAPI statement id, for the statement endpoint to store by (next issue).
    statement_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager.from_queryset(OrgQuerySet)()

    class Meta:
        constraints = [
            # A duplicate event (a re-import, a retried statement) is stored once; the
            # column order serves the reads (program, then a time range).
            models.UniqueConstraint(
                fields=["program", "occurred_at", "learner_key", "event_type"],
                name="learner_event_once",
            ),
        ]
        indexes = [
            # xAPI voiding takes a program's events back by statement id; rows from a
            # CSV file have none, so the index costs an import nothing.
            models.Index(
                fields=["program", "statement_id"],
                name="learner_event_statement",
                condition=models.Q(statement_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner_key} {self.event_type} {self.occurred_at:%Y-%m-%d %H:%M}"


class EligibleLearners(OrgOwned):
    """How many learners could have taken part in a program in a calendar month."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="eligible")
    month = models.DateField(help_text="The first day of the month.")
    count = models.PositiveIntegerField()  # the column's own check refuses a negative

    objects: ClassVar = OrgManager.from_queryset(OrgQuerySet)()

    class Meta:
        ordering = ["program", "month"]
        verbose_name_plural = "eligible learners"
        constraints = [
            models.UniqueConstraint(fields=["program", "month"], name="eligible_once_a_month"),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.month:%Y-%m}: {self.count}"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": "Give the first day of the month."})


class ProgramMonthQuerySet(OrgQuerySet):
    def between(self, first: object, last: object) -> ProgramMonthQuerySet:
        return self.filter(month__gte=first, month__lte=last)


class ProgramMonth(OrgOwned):
    """A program's calendar month (in the organisation's time zone), counted exactly from
    its events: recounted for every month a write touches, and for all of them when what
    counts as active changes."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="months")
    month = models.DateField()
    active_learners = models.PositiveIntegerField(default=0)
    completers = models.PositiveIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)
    # {"launched": 120, "completed": 30}: the month's drill-down, without reading events.
    events_by_type = models.JSONField(default=dict)

    objects: ClassVar = OrgManager.from_queryset(ProgramMonthQuerySet)()

    class Meta:
        ordering = ["program", "month"]
        constraints = [
            models.UniqueConstraint(fields=["program", "month"], name="program_month_once"),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.month:%Y-%m}: {self.active_learners} active"
