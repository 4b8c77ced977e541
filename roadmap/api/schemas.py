"""What the API reads and writes: one schema per resource, and the shape of every error."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator

from measurement.models import Direction, Kpi, KpiFamily, KpiStatus, KpiValue
from roadmap.models import (
    EvidenceKind,
    GapKind,
    Initiative,
    InitiativeStatus,
    RiceImpact,
    TrainingRequestState,
)
from strategy.models import Priority

# Ids as the database stores them (64-bit): a larger number is refused (422), not sent
# to the database to overflow there.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# Counts are 32-bit integers in PostgreSQL: say so, whatever the database.
MAX_COUNT = 2**31 - 1
BATCH_LIMIT = 1000


def _iso_text(value: Any) -> Any:
    """Pydantic would read a number as seconds since 1970: a client sending 20260301 would
    get a date in 1970 instead of an error."""
    if isinstance(value, str | date):
        return value
    raise ValueError("Give the date as text, YYYY-MM-DD.")


IsoDate = Annotated[date, BeforeValidator(_iso_text)]


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in a sentence.")
    errors: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Messages per field (`items.3.value` for an item of a batch).",
    )


class RoadmapOut(Schema):
    id: int
    title: str
    description: str
    fiscal_year: int
    period_start: date
    period_end: date
    budget: Decimal | None


class InitiativeOut(Schema):
    id: int
    roadmap_id: int
    title: str
    problem: str
    status: InitiativeStatus
    cycle_id: int | None
    cycle: str | None = Field(description="The cycle's name, e.g. Q1 FY27.")
    priority_id: int | None
    kpi_id: int | None
    owner: str | None = Field(description="Who does the work (L&D).")
    accountable: str | None = Field(description="The business leader who owns the outcome.")
    audience: str
    audience_size: int | None
    budget: Decimal | None
    people: int | None
    days: int | None

    @staticmethod
    def resolve_cycle(obj: Initiative) -> str | None:
        return obj.cycle.name if obj.cycle else None

    @staticmethod
    def resolve_owner(obj: Initiative) -> str | None:
        return obj.owner.name if obj.owner else None

    @staticmethod
    def resolve_accountable(obj: Initiative) -> str | None:
        return obj.accountable.name if obj.accountable else None


class PriorityOut(Schema):
    id: int
    strategy_id: int
    capability: str
    problem: str
    business_owner: str
    kpi_id: int | None
    rank: int

    @staticmethod
    def resolve_business_owner(obj: Priority) -> str:
        return obj.business_owner.name


class KpiOut(Schema):
    id: int
    name: str
    description: str
    family: KpiFamily
    unit: str
    direction: Direction
    baseline: Decimal | None
    baseline_date: date | None
    target: Decimal | None
    target_date: date | None
    evidence_level: int | None = Field(description="Kirkpatrick 1 to 4, or Phillips 5 (ROI).")
    owner: str | None
    latest_value: Decimal | None = Field(description="The latest overall value.")
    latest_date: date | None
    status: KpiStatus = Field(description="Against the straight line from baseline to target.")

    @staticmethod
    def resolve_owner(obj: Kpi) -> str | None:
        return obj.owner.name if obj.owner else None

    @staticmethod
    def resolve_latest_value(obj: Kpi) -> Decimal | None:
        # Four places, as the value itself reads: SQLite's subquery gives 68 for 68.0000.
        if not obj.latest_value_id:
            return None
        return Decimal(obj.latest_value).quantize(Decimal("0.0001"))

    @staticmethod
    def resolve_latest_date(obj: Kpi) -> date | None:
        return obj.latest_value_date if obj.latest_value_id else None

    @staticmethod
    def resolve_status(obj: Kpi) -> str:
        return obj.assessment.status.value


class KpiValueOut(Schema):
    id: int
    kpi_id: int
    date: date
    segment: str = Field(description="Empty for the whole population.")
    value: Decimal
    note: str
    entered_at: datetime

    @staticmethod
    def resolve_value(obj: KpiValue) -> Decimal:
        # Four places however it was sent (12.5 is stored and read back as 12.5000).
        return Decimal(obj.value).quantize(Decimal("0.0001"))


class KpiValueIn(Schema):
    date: IsoDate
    value: Decimal = Field(description="Up to 12 digits before the point and 4 after.")
    segment: str = Field(
        "", max_length=100, description="A region, team or cohort; empty for everyone."
    )
    note: str = Field("", max_length=300)


class KpiValueWritten(KpiValueOut):
    created: bool = Field(description="False when it replaced the value of that date and segment.")


class KpiValueBatchItem(KpiValueIn):
    kpi: Id


class KpiValueBatchIn(Schema):
    items: list[KpiValueBatchItem] = Field(max_length=BATCH_LIMIT)


class ItemErrors(Schema):
    index: int = Field(description="The item's position in `items`, from 0.")
    errors: dict[str, list[str]]


class KpiValueBatchOut(Schema):
    created: int
    updated: int
    rejected: int
    errors: list[ItemErrors]


class TrainingRequestOut(Schema):
    id: int
    title: str
    problem: str
    audience: str
    audience_size: int | None
    evidence_kind: EvidenceKind
    evidence_metric: str
    evidence_value: str
    evidence_notes: str
    priority_id: int | None
    needed_by: date | None
    gap: GapKind
    effort_days: int | None
    impact: RiceImpact
    requester_name: str
    requester_email: str
    requester_department: str
    source: str
    status: TrainingRequestState = Field(alias="state")
    decision_reason: str
    submitted_at: datetime
    decided_at: datetime | None
    initiative_id: int | None
    deferred_to_id: int | None
    duplicate_of_id: int | None


class TrainingRequestIn(Schema):
    """The fields of the team's request form; validated by that same form."""

    title: str = Field(min_length=1, max_length=200)
    problem: str = Field(min_length=1)
    audience: str = Field("", max_length=200)
    audience_size: int | None = Field(None, ge=0, le=MAX_COUNT)
    evidence_kind: EvidenceKind = EvidenceKind.NONE
    evidence_metric: str = Field("", max_length=150)
    evidence_value: str = Field("", max_length=100)
    evidence_notes: str = ""
    priority: Id | None = Field(None, description="A priority id of this organisation.")
    needed_by: IsoDate | None = None
    gap: GapKind = GapKind.UNKNOWN
    effort_days: int | None = Field(None, ge=0, le=MAX_COUNT)
    impact: RiceImpact = RiceImpact.MEDIUM
    requester_name: str = Field("", max_length=150)
    requester_email: str = Field("", max_length=254)
    requester_department: str = Field("", max_length=150)


# Every answer a client can get besides success, declared on each operation so the OpenAPI
# document names them all (400: bad cursor or unparsable JSON; 413: body over the size cap).
READ_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {**READ_ERRORS, 403: ErrorOut, 413: ErrorOut}
