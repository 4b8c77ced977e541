"""What the API reads and writes: one schema per resource, and the shape of every error."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator

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


def _no_nul(value: str) -> str:
    """PostgreSQL cannot store a NUL character in text: refused here (422), not there (500)."""
    if "\x00" in value:
        raise ValueError("Text cannot contain NUL characters.")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


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


# Measurement: programs, learner activity, eligible learners, touchpoints, surveys --------

EVENT_BATCH_LIMIT = 10_000


def _share(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.0001"))


class ProgramOut(Schema):
    """A program is an initiative as measurement sees it."""

    id: int
    initiative_id: int
    title: str = Field(description="The initiative's title.")
    qualifying_events: list[str] = Field(description="Event types that make a learner active.")
    completion_event: str
    last_month: date = Field(description="The last complete calendar month (its first day).")
    active_learners: int | None = Field(description="In the last month; null without activity.")
    eligible: int | None = Field(description="In the last month; null when not entered.")
    active_rate: Decimal | None = Field(
        description="Active learners ÷ eligible learners in the last month, a share from 0 "
        "(4 places); null when no eligible learners are entered."
    )

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return obj.initiative.title

    @staticmethod
    def resolve_qualifying_events(obj: Any) -> list[str]:
        return obj.qualifying

    @staticmethod
    def resolve_active_learners(obj: Any) -> int | None:
        return obj.month_active_learners

    @staticmethod
    def resolve_eligible(obj: Any) -> int | None:
        return obj.month_eligible

    @staticmethod
    def resolve_active_rate(obj: Any) -> Decimal | None:
        if not obj.month_eligible:
            return None
        return _share(Decimal(obj.month_active_learners or 0) / Decimal(obj.month_eligible))


class MonthOut(Schema):
    month: date = Field(description="The month's first day.")
    active_learners: int
    completers: int
    events: int
    eligible: int | None = Field(description="Null when not entered.")
    active_rate: Decimal | None = Field(description="A share from 0, 4 places.")
    completion_rate: Decimal | None
    events_by_type: dict[str, int]

    @staticmethod
    def resolve_active_rate(obj: Any) -> Decimal | None:
        return _share(obj.rate)

    @staticmethod
    def resolve_completion_rate(obj: Any) -> Decimal | None:
        return _share(obj.completion_rate)


class EventIn(Schema):
    """Checked one by one: a bad event is reported by its index, not the whole batch."""

    learner_key: Text = Field(
        max_length=1000, description="Pseudonymous (an LMS id, a hash), at most 64 characters."
    )
    event_type: Text = Field(
        max_length=1000, description="A verb (`completed`) or an xAPI verb IRI (its last segment)."
    )
    occurred_at: Text = Field(
        max_length=100, description="ISO 8601 with a time zone, e.g. 2026-03-10T09:30:00Z."
    )
    statement_id: Text | None = Field(None, max_length=100, description="An xAPI statement id.")


class EventBatchIn(Schema):
    events: list[EventIn] = Field(max_length=EVENT_BATCH_LIMIT)


class EventBatchOut(Schema):
    written: int
    duplicates: int = Field(description="Already stored (same learner, type and time).")
    rejected: int
    errors: list[ItemErrors] = Field(description="`events.<index>` and the reason.")


class EligibleIn(Schema):
    count: int = Field(ge=0, le=MAX_COUNT, description="Learners who could take part that month.")


class EligibleOut(Schema):
    program_id: int
    month: date
    count: int
    changed: bool = Field(description="False when the same count was already recorded.")


class TouchpointIn(Schema):
    stakeholder: Id = Field(description="A person of this organisation marked senior.")
    date: IsoDate
    forum: Text = Field(
        max_length=100,
        description="budget_cycle, workforce_planning, performance_review, business_review, "
        "roadmap_review or other.",
    )
    notes: Text = Field("", max_length=5000)


class TouchpointBatchIn(Schema):
    items: list[TouchpointIn] = Field(max_length=BATCH_LIMIT)


class SurveyResponseIn(Schema):
    score: int = Field(ge=-MAX_COUNT, le=MAX_COUNT, description="A whole number from 0 to 10.")
    responded_on: IsoDate
    comment: Text = Field("", max_length=5000)
    respondent: Text = Field(
        "",
        max_length=1000,
        description="A pseudonymous key (at most 100 characters): the same respondent on "
        "the same day replaces their answer. Empty: anonymous.",
    )


class SurveyResponseBatchIn(Schema):
    items: list[SurveyResponseIn] = Field(max_length=BATCH_LIMIT)


class WriteBatchOut(Schema):
    created: int
    existing: int = Field(description="Matched one already recorded (updated if it differed).")
    rejected: int
    errors: list[ItemErrors]


# Every answer a client can get besides success, declared on each operation so the OpenAPI
# document names them all (400: bad cursor or unparsable JSON; 413: body over the size cap).
READ_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {**READ_ERRORS, 403: ErrorOut, 413: ErrorOut}
