"""KPIs and their values.

A KPI is a definition (what it measures, which way is good, baseline and target) plus the
values recorded against it. Values are entered by hand for now; imports come later and will
upsert on the same natural key (KPI, date, segment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from roadmap_site.cache import bump_org
from roadmap_site.models import OrgManager, OrgOwned, OrgQuerySet, Person


class KpiFamily(models.TextChoices):
    """The article's four KPI families, plus room for the team's own."""

    LEADERSHIP_ALIGNMENT = "leadership_alignment", "Leadership alignment"
    LEARNER_ENGAGEMENT = "learner_engagement", "Learner engagement"
    SME_ENGAGEMENT = "sme_engagement", "SME engagement"
    BUSINESS_IMPACT = "business_impact", "Business impact"
    CUSTOM = "custom", "Custom"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class EvidenceLevel(models.IntegerChoices):
    """Kirkpatrick levels 1 to 4, and Phillips' level 5 (ROI) on top."""

    REACTION = 1, "Kirkpatrick 1: reaction"
    LEARNING = 2, "Kirkpatrick 2: learning"
    BEHAVIOUR = 3, "Kirkpatrick 3: behaviour"
    RESULTS = 4, "Kirkpatrick 4: results"
    ROI = 5, "Phillips 5: ROI"


class KpiStatus(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    NO_DATA = "no_data", "No values yet"
    NO_TARGET = "no_target", "No target"


# How far behind the planned trajectory a KPI may be, as a share of the whole planned
# change (baseline → target), before it is off track rather than at risk.
AT_RISK_TOLERANCE = Decimal("0.10")

STATUS_RULE = (
    "We draw a straight line from the baseline (on the baseline date, or the first value "
    "when no baseline date is set) to the target on the target date: that is where the KPI "
    "should be on any day. The latest overall value is compared with where the line says it "
    "should be on that value's date. At or better than the line: on track. Behind by no more "
    f"than {AT_RISK_TOLERANCE:.0%} of the whole planned change: at risk. Further behind: off "
    "track. After the target date, only reaching the target counts as on track."
)


@dataclass(frozen=True)
class Assessment:
    """The status of a KPI and the numbers behind it, for the page to explain."""

    status: KpiStatus
    latest: KpiValue | None = None
    expected: Decimal | None = None

    @property
    def label(self) -> str:
        return self.status.label


class KpiQuerySet(OrgQuerySet):
    def with_status(self) -> KpiQuerySet:
        """KPIs with what their status needs, computed in SQL: the first and the latest
        overall value (date and figure). One query however many KPIs and values; the list
        page pins it. Served by the (kpi, date, segment) unique index."""
        overall = KpiValue.objects.overall().filter(kpi=models.OuterRef("pk"))
        first = overall.order_by("date")
        latest = overall.order_by("-date")
        return self.select_related("owner").annotate(
            first_value_date=models.Subquery(first.values("date")[:1]),
            first_value=models.Subquery(first.values("value")[:1]),
            latest_value_id=models.Subquery(latest.values("pk")[:1]),
            latest_value_date=models.Subquery(latest.values("date")[:1]),
            latest_value=models.Subquery(latest.values("value")[:1]),
        )


class Kpi(OrgOwned):
    if TYPE_CHECKING:
        # Annotated by `KpiQuerySet.with_status_values`: the first and latest overall values.
        latest_value_id: int | None
        latest_value_date: date
        latest_value: Decimal
        first_value_date: date
        first_value: Decimal

    name = models.CharField(max_length=150)
    description = models.TextField(
        "what it measures",
        blank=True,
        help_text="How it is counted and where the number comes from.",
    )
    family = models.CharField(
        max_length=30, choices=KpiFamily.choices, default=KpiFamily.BUSINESS_IMPACT
    )
    unit = models.CharField(max_length=30, blank=True, help_text="days, %, people, points…")
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    baseline = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    baseline_date = models.DateField(
        null=True,
        blank=True,
        help_text="When the baseline was measured; the trajectory starts here.",
    )
    target = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    evidence_level = models.PositiveSmallIntegerField(
        "evidence level",
        choices=EvidenceLevel.choices,
        null=True,
        blank=True,
        help_text="The Kirkpatrick level this KPI evidences, or Phillips level 5 for ROI.",
    )
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_kpis"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = OrgManager.from_queryset(KpiQuerySet)()

    class Meta:
        ordering = ["family", "name"]
        verbose_name = "KPI"
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="kpi_name_unique_in_org"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.owner is not None and self.owner.org_id != self.org_id:
            raise ValidationError({"owner": "Choose someone from this organisation."})
        if (self.target is None) != (self.target_date is None):
            raise ValidationError("A target needs a date, and a target date needs a target.")
        if self.baseline_date and self.target_date and self.target_date <= self.baseline_date:
            raise ValidationError(
                {"target_date": "The target date must come after the baseline date."}
            )

    @property
    def has_target(self) -> bool:
        return self.target is not None and self.target_date is not None

    def better(self, a: Decimal, b: Decimal) -> Decimal:
        """How much better `a` is than `b` (negative when worse), whatever the direction."""
        return a - b if self.direction == Direction.HIGHER else b - a

    def expected_on(self, day: date, *, start: date, baseline: Decimal) -> Decimal:
        """Where the straight line from (start, baseline) to the target says we should be."""
        assert self.target is not None and self.target_date is not None
        if day <= start:
            return baseline
        if day >= self.target_date:
            return self.target
        share = Decimal((day - start).days) / Decimal((self.target_date - start).days)
        return baseline + (self.target - baseline) * share

    def assess(self, values: list[KpiValue] | None = None) -> Assessment:
        """The status from the overall values in date order (see STATUS_RULE).

        Pass the values when they are already loaded; on a KPI from `with_status()` the
        first and latest values, all the rule reads, come from SQL instead.
        """
        if values is None:
            values = getattr(self, "overall_values", None)
        if values is None and hasattr(self, "latest_value_id"):
            if self.latest_value_id is None:
                return Assessment(KpiStatus.NO_DATA)
            latest = KpiValue(
                pk=self.latest_value_id,
                org_id=self.org_id,
                kpi=self,
                date=self.latest_value_date,
                value=self.latest_value,
            )
            return self._assess(latest, self.first_value_date, self.first_value)
        if values is None:
            values = list(self.values.overall().order_by("date"))
        if not values:
            return Assessment(KpiStatus.NO_DATA)
        return self._assess(values[-1], values[0].date, values[0].value)

    def _assess(self, latest: KpiValue, first_date: date, first_value: Decimal) -> Assessment:
        if not self.has_target:
            return Assessment(KpiStatus.NO_TARGET, latest=latest)
        assert self.target is not None and self.target_date is not None  # has_target
        baseline = self.baseline if self.baseline is not None else first_value
        start = self.baseline_date or first_date
        if start >= self.target_date:
            start = self.target_date
        expected = self.expected_on(latest.date, start=start, baseline=baseline)
        ahead = self.better(latest.value, expected)
        if ahead >= 0:
            return Assessment(KpiStatus.ON_TRACK, latest=latest, expected=expected)
        planned_change = abs(self.target - baseline)
        if (
            latest.date < self.target_date
            and planned_change
            and (-ahead <= planned_change * AT_RISK_TOLERANCE)
        ):
            return Assessment(KpiStatus.AT_RISK, latest=latest, expected=expected)
        return Assessment(KpiStatus.OFF_TRACK, latest=latest, expected=expected)

    @property
    def assessment(self) -> Assessment:
        if not hasattr(self, "_assessment"):
            self._assessment = self.assess()
        return self._assessment

    @transaction.atomic
    def record(
        self, *, day: date, value: Decimal, segment: str = "", note: str = "", entered_by=None
    ) -> tuple[KpiValue, bool]:
        """Record a value; a second one for the same date and segment replaces the first,
        whose old figure stays in the value's history. Returns (value, created)."""
        kpi_value = (
            KpiValue.objects.select_for_update().filter(kpi=self, date=day, segment=segment).first()
        )
        if kpi_value is None:
            kpi_value = KpiValue(org=self.org, kpi=self, date=day, segment=segment)
            created = True
        else:
            created = False
        kpi_value.value, kpi_value.note, kpi_value.entered_by = value, note, entered_by
        kpi_value.entered_at = timezone.now()
        kpi_value.save()
        # The KPI list shows the latest value and status; what never reads KPI values keeps
        # its entries (`steady_version`).
        bump_org(self.org, figures_only=True)
        return kpi_value, created


class KpiValueQuerySet(OrgQuerySet):
    def overall(self) -> KpiValueQuerySet:
        """The whole population; segments (a region, a cohort) are breakdowns of it."""
        return self.filter(segment="")

    def for_download(self) -> KpiValueQuerySet:
        """KPI by KPI as the KPI list orders them, each KPI's values by date."""
        return self.select_related("kpi").order_by(
            "kpi__family", "kpi__name", "kpi_id", "date", "segment"
        )


class KpiValue(OrgOwned):
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="values")
    date = models.DateField()
    segment = models.CharField(
        max_length=100, blank=True, help_text="Leave empty for the whole population."
    )
    value = models.DecimalField(max_digits=16, decimal_places=4)
    note = models.CharField(max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    # A corrected value keeps what it said before, who changed it and when.
    history = HistoricalRecords(related_name="revisions")

    objects: ClassVar = OrgManager.from_queryset(KpiValueQuerySet)()

    class Meta:
        ordering = ["kpi", "date", "segment"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "date", "segment"], name="one_kpi_value_per_date_and_segment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.date} {self.segment or 'overall'}: {self.value}"
