"""What each kind of evidence hands the measurement dashboard and the alert rules.

Every family of the article (leadership alignment, learner engagement, SME engagement,
business impact) computes its own figures where its data lives and returns them in these
shapes: `Headline` for the dashboard's at-a-glance cards, `Finding` for an alert rule's
result. The dashboard and the alerts never need to know how a figure was computed; the
`rule` text beside each says it in words for the reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from measurement.models import KpiFamily, KpiStatus


@dataclass(frozen=True)
class TrendPoint:
    """One point of a headline's trend line (a month, a quarter, a KPI reading). When the
    headline reads in per cent the value is a share (0.64 for 64 %), as the chart expects."""

    day: date
    value: float


@dataclass(frozen=True)
class Headline:
    """One figure on the dashboard: its value, how it is computed, where to drill down."""

    family: KpiFamily
    title: str  # "Monthly active learner rate: Day-1 to Day-90 journey"
    value: Decimal | None  # None: not computable yet (the `display` says why)
    display: str  # how the value reads: "62 %", "+38 (n = 48, ± 21)", "not computable"
    rule: str  # the formula in words, shown beside the figure
    url: str  # the page behind the figure (the KPI, the program, the stakeholder list)
    status: KpiStatus | None = None
    note: str = ""  # what qualifies, the sample size, "small sample"…
    trend: tuple[TrendPoint, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Finding:
    """What an alert rule found about one subject today.

    `subject` names the thing uniquely within the rule ("kpi:12", "program:3"); `state`
    is what the e-mail digest compares: an alert is sent again only when its state changes
    (the KPI went from at risk to off track, another month of decline…).
    """

    subject: str
    title: str  # "Time to full productivity is off track"
    detail: str  # the numbers behind it
    url: str  # where its cause is shown
    state: str
    owner_id: int | None = None  # the Person who gets it in the weekly digest
