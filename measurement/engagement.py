"""Learner engagement: recording activity, the exact monthly rollup, the monthly active
learner rate, its decline alert and the dashboard's headline.

Every write goes through the functions here (forms today; imports and the xAPI endpoint
next): they validate, write atomically, upsert on natural keys (a repeat changes nothing),
recount exactly the calendar months they touched and bump the organisation's version.
Pages read `ProgramMonth`, the rollup, never the events themselves.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from measurement.figures import Finding, Headline, TrendPoint
from measurement.models import (
    EligibleLearners,
    KpiFamily,
    LearnerEvent,
    Program,
    ProgramMonth,
)
from roadmap_site.cache import bump_org
from roadmap_site.dates import EARLIEST_YEAR, LATEST_YEAR, add_months, plausible_year
from roadmap_site.models import Organization

ENGAGEMENT_RULE = (
    "Monthly active learner rate = learners with at least one qualifying event in the "
    "calendar month (in the organisation's time zone) ÷ eligible learners that month. A "
    "learner counts once however many events they have; each program says which event "
    "types qualify. Completion rate, shown beside it, is learners with the completion "
    "event that month ÷ eligible learners."
)
DECLINE_RULE = (
    "Over the last three complete calendar months, an alert is raised when a program's "
    "active learner rate fell two months running, or fell in the last month by more than "
    "the program's threshold (a share of the month before; 20 % unless set). Programs "
    "with fewer than three months of rates (eligible learners entered) raise none."
)

MAX_LEARNER_KEY = LearnerEvent._meta.get_field("learner_key").max_length or 64
MAX_EVENT_TYPE = LearnerEvent._meta.get_field("event_type").max_length or 50
# Far above any real cohort; a typo with three extra zeros is refused instead of shown.
MAX_ELIGIBLE = 10_000_000
BATCH = 2000


class EngagementError(ValueError):
    """A write refused as a whole, with a message for the person or system that sent it."""


# Months ---------------------------------------------------------------------------------


def month_of(moment: datetime, zone: ZoneInfo) -> date:
    """The first day of the calendar month `moment` falls in, on the organisation's clock."""
    local = moment.astimezone(zone)
    return date(local.year, local.month, 1)


def month_start(month: date, zone: ZoneInfo) -> datetime:
    """Midnight on the first of `month`, on the organisation's clock."""
    return datetime(month.year, month.month, 1, tzinfo=zone)


def last_complete_month(today: date) -> date:
    return add_months(today.replace(day=1), -1)


# Recording ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    index: int  # the event's position in what was sent, from 0
    reason: str


@dataclass
class RecordResult:
    written: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    months: list[date] = field(default_factory=list)  # the months recounted
    removed: int = 0  # events taken back (`remove_events`)


def _clean_event(raw: Mapping[str, Any], now: datetime) -> tuple[str, str, datetime, Any]:
    """One event's fields, cleaned; raises EngagementError with the reason."""
    key = str(raw.get("learner_key") or "").strip()
    if not key:
        raise EngagementError("The learner key is missing.")
    if len(key) > MAX_LEARNER_KEY:
        raise EngagementError(f"The learner key is longer than {MAX_LEARNER_KEY} characters.")
    # An xAPI verb IRI (…/verbs/completed) counts by its last segment.
    event_type = str(raw.get("event_type") or "").strip().rstrip("/").rsplit("/", 1)[-1]
    if not event_type:
        raise EngagementError("The event type is missing.")
    if len(event_type) > MAX_EVENT_TYPE:
        raise EngagementError(f"The event type is longer than {MAX_EVENT_TYPE} characters.")
    occurred = raw.get("occurred_at")
    if isinstance(occurred, str):
        try:
            occurred = parse_datetime(occurred.strip())
        except ValueError:
            occurred = None
    if not isinstance(occurred, datetime):
        raise EngagementError("The time is missing or not a date and time.")
    if timezone.is_naive(occurred):
        raise EngagementError("The time has no time zone (add Z or an offset such as +02:00).")
    if not plausible_year(occurred):
        raise EngagementError(f"The time is not between {EARLIEST_YEAR} and {LATEST_YEAR}.")
    if occurred > now + timedelta(minutes=5):
        raise EngagementError("The time is in the future.")
    statement = raw.get("statement_id")
    if statement not in (None, ""):
        try:
            statement = uuid.UUID(str(statement))
        except ValueError:
            raise EngagementError("The statement id is not a UUID.") from None
    else:
        statement = None
    return key, event_type, occurred, statement


def lock_program(program: Program) -> None:
    """Lock the program's row for the write that follows, to the end of the transaction:
    one writer per program at a time (so a recount sees every event written), and no
    event for a program deleted meanwhile (the event table's foreign keys are no database
    constraints: see `LearnerEvent`)."""
    if Program.objects.select_for_update().filter(pk=program.pk).first() is None:
        raise EngagementError("This program no longer exists.")


def record_events(
    *,
    program: Program,
    events: Iterable[Mapping[str, Any]],
    org: Organization | None = None,
) -> RecordResult:
    """Store learner events for a program: each a mapping with `learner_key`,
    `event_type` (a verb, or an xAPI verb IRI), `occurred_at` (an aware datetime or an ISO
    8601 string with an offset) and optionally `statement_id`.

    Bad events are rejected one by one with their reason, the rest are stored; an event
    already stored (same learner, type and time) is a duplicate and changes nothing. The
    months the new events fall in are recounted. Pass `org` (the caller's organisation)
    to refuse a program of another organisation.
    """
    if org is not None and program.org_id != org.pk:
        raise EngagementError("This program belongs to another organisation.")
    now = timezone.now()
    result = RecordResult()
    cleaned: dict[tuple[str, str, datetime], Any] = {}
    for index, raw in enumerate(events):
        try:
            key, event_type, occurred, statement = _clean_event(raw, now)
        except EngagementError as error:
            result.rejected.append(Rejection(index, str(error)))
            continue
        natural = (key, event_type, occurred)
        if natural in cleaned:
            result.duplicates += 1
        else:
            cleaned[natural] = statement
    if not cleaned:
        return result
    zone = program.org.zone
    with transaction.atomic():
        lock_program(program)
        times = [occurred for _, _, occurred in cleaned]
        window = LearnerEvent.objects.filter(
            program=program, occurred_at__gte=min(times), occurred_at__lte=max(times)
        )
        before = window.count()
        LearnerEvent.objects.bulk_create(
            (
                LearnerEvent(
                    org_id=program.org_id,
                    program=program,
                    learner_key=key,
                    event_type=event_type,
                    occurred_at=occurred,
                    statement_id=statement,
                    created_at=now,
                )
                for (key, event_type, occurred), statement in cleaned.items()
            ),
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        written = window.count() - before
        result.written = written
        result.duplicates += len(cleaned) - written
        if written:
            result.months = sorted({month_of(t, zone) for t in times})
            recount_months(program, result.months)
            bump_org(program.org)
    return result


def remove_events(*, program: Program, statement_ids: Iterable[uuid.UUID]) -> RecordResult:
    """Take back the learner events that came from these xAPI statements (voided ones)
    and recount the months they were in, as `record_events` does for what it writes."""
    ids = list(statement_ids)
    result = RecordResult()
    if not ids:
        return result
    zone = program.org.zone
    with transaction.atomic():
        lock_program(program)
        events = LearnerEvent.objects.filter(program=program, statement_id__in=ids)
        times = list(events.values_list("occurred_at", flat=True))
        if not times:
            return result
        events.delete()
        result.removed = len(times)
        result.months = sorted({month_of(t, zone) for t in times})
        recount_months(program, result.months)
        bump_org(program.org)
    return result


def recount_months(program: Program, months: Iterable[date] | None = None) -> None:
    """Recount the rollup of `program` for `months` (first days, in the organisation's
    time zone) from its events, exactly; every month when `months` is None."""
    zone = program.org.zone
    events = LearnerEvent.objects.filter(program=program)
    rollup = ProgramMonth.objects.filter(program=program)
    if months is not None:
        wanted = sorted(set(months))
        if not wanted:
            return
        events = events.filter(
            reduce(
                or_,
                (
                    Q(
                        occurred_at__gte=month_start(m, zone),
                        occurred_at__lt=month_start(add_months(m, 1), zone),
                    )
                    for m in wanted
                ),
            )
        )
        rollup = rollup.filter(month__in=wanted)
    by_month = events.annotate(m=TruncMonth("occurred_at", tzinfo=zone))
    qualifying = program.qualifying
    totals = by_month.values("m").annotate(
        events_n=Count("pk"),
        active=Count("learner_key", distinct=True, filter=Q(event_type__in=qualifying)),
        done=Count("learner_key", distinct=True, filter=Q(event_type=program.completion_event)),
    )
    by_type: dict[date, dict[str, int]] = defaultdict(dict)
    for row in by_month.values("m", "event_type").annotate(n=Count("pk")).order_by("m"):
        by_type[_as_month(row["m"], zone)][row["event_type"]] = row["n"]
    rows = [
        ProgramMonth(
            org_id=program.org_id,
            program=program,
            month=_as_month(row["m"], zone),
            active_learners=row["active"],
            completers=row["done"],
            events=row["events_n"],
            events_by_type=dict(sorted(by_type[_as_month(row["m"], zone)].items())),
        )
        for row in totals
    ]
    rollup.delete()
    ProgramMonth.objects.bulk_create(rows, batch_size=BATCH)


def recount_added_months(program: Program, months: Iterable[date]) -> None:
    """`recount_months` for months that only gained events (an import's), in one
    statement on PostgreSQL: one pass over the months' events, through the unique index
    by program and time, to counts per (month, learner, type) (a hash aggregate, no
    sorting for distinct learners), the months' totals and types from those, and an
    upsert of their rollup rows. A month that gained events has some, so
    no row is left to delete. Elsewhere, `recount_months`."""
    wanted = sorted(set(months))
    if not wanted:
        return
    if connection.vendor != "postgresql":
        recount_months(program, wanted)
        return
    zone = program.org.zone
    events = LearnerEvent._meta.db_table
    rollup = ProgramMonth._meta.db_table
    sql = f"""
    WITH per AS (
      -- The one pass over the events: a hash aggregate to (month, learner, type).
      SELECT date_trunc('month', e.occurred_at AT TIME ZONE %(zone)s)::date AS month,
             e.learner_key, e.event_type, count(*) AS n
      FROM unnest(%(starts)s::timestamptz[], %(ends)s::timestamptz[]) AS r (s, e)
      JOIN {events} e ON e.program_id = %(program)s
        AND e.occurred_at >= r.s AND e.occurred_at < r.e
      GROUP BY 1, 2, 3
    ), learners AS (
      SELECT month, bool_or(event_type = ANY(%(qualifying)s)) AS active,
             bool_or(event_type = %(completion)s) AS done, sum(n) AS n
      FROM per GROUP BY month, learner_key
    ), totals AS (
      SELECT month, count(*) FILTER (WHERE active) AS active,
             count(*) FILTER (WHERE done) AS done, sum(n) AS n
      FROM learners GROUP BY month
    ), types AS (
      SELECT month, jsonb_object_agg(event_type, n) AS by_type
      FROM (SELECT month, event_type, sum(n) AS n FROM per GROUP BY 1, 2) typed
      GROUP BY month
    )
    INSERT INTO {rollup} (org_id, program_id, month, active_learners, completers, events,
                          events_by_type)
    SELECT %(org)s, %(program)s, month, active, done, n, by_type
    FROM totals JOIN types USING (month)
    ON CONFLICT (program_id, month) DO UPDATE SET
      active_learners = excluded.active_learners, completers = excluded.completers,
      events = excluded.events, events_by_type = excluded.events_by_type
    """  # noqa: S608 (the models' tables)
    params: dict[str, Any] = {
        "org": program.org_id,
        "program": program.pk,
        "qualifying": program.qualifying,
        "completion": program.completion_event,
        "zone": zone.key,
        "starts": [month_start(m, zone) for m in wanted],
        "ends": [month_start(add_months(m, 1), zone) for m in wanted],
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _as_month(value: datetime | date, zone: ZoneInfo) -> date:
    if isinstance(value, datetime):
        value = value.astimezone(zone) if timezone.is_aware(value) else value
        return date(value.year, value.month, 1)
    return value.replace(day=1)


def set_eligible(*, program: Program, month: date, count: int) -> tuple[EligibleLearners, bool]:
    """How many learners could take part in `program` in `month` (its first day).
    Returns (row, changed); the same count again changes nothing."""
    if not isinstance(month, date) or isinstance(month, datetime) or month.day != 1:
        raise EngagementError("Give the month as its first day (for example 2026-05-01).")
    if isinstance(count, bool) or not isinstance(count, int):
        raise EngagementError("The number of eligible learners must be a whole number.")
    if count < 0:
        raise EngagementError("The number of eligible learners cannot be negative.")
    if count > MAX_ELIGIBLE:
        raise EngagementError(f"More than {MAX_ELIGIBLE:,} eligible learners: check the figure.")
    with transaction.atomic():
        row, created = EligibleLearners.objects.select_for_update().get_or_create(
            program=program, month=month, defaults={"org_id": program.org_id, "count": count}
        )
        changed = created or row.count != count
        if not created and changed:
            row.count = count
            row.save(update_fields=["count"])
        if changed:
            bump_org(program.org)
    return row, changed


def update_program(
    *,
    program: Program,
    qualifying_events: list[str],
    completion_event: str,
    decline_share: Decimal,
) -> bool:
    """Change what counts as active, what counts as finishing, and the decline threshold;
    every month is recounted when what counts changed. Returns whether anything changed."""
    qualifying = sorted({e.strip() for e in qualifying_events if e.strip()})
    completion = completion_event.strip()
    if not qualifying:
        raise EngagementError("Name at least one event type that counts as active.")
    if any(len(e) > MAX_EVENT_TYPE for e in qualifying) or len(completion) > MAX_EVENT_TYPE:
        raise EngagementError(f"An event type is longer than {MAX_EVENT_TYPE} characters.")
    if not completion:
        raise EngagementError("Name the event type that means a learner finished.")
    if not Decimal("0.01") <= decline_share <= Decimal(1):
        raise EngagementError("The decline threshold is a share between 1 % and 100 %.")
    recount = qualifying != sorted(program.qualifying) or completion != program.completion_event
    changed = recount or decline_share != program.decline_share
    if not changed:
        return False
    with transaction.atomic():
        program.qualifying_events = qualifying
        program.completion_event = completion
        program.decline_share = decline_share
        program.save(update_fields=["qualifying_events", "completion_event", "decline_share"])
        if recount:
            recount_months(program)
        bump_org(program.org)
    return True


# Reading --------------------------------------------------------------------------------


def percent(share: Decimal | None) -> str:
    # A no-break space, so "52 %" never breaks across lines.
    return "—" if share is None else f"{share * 100:.0f}\u00a0%"


@dataclass(frozen=True)
class MonthRate:
    """One calendar month of a program: the rollup's counts and the eligible learners."""

    month: date
    active_learners: int = 0
    completers: int = 0
    events: int = 0
    eligible: int | None = None  # None: not entered
    events_by_type: Mapping[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> Decimal | None:
        """Active learners ÷ eligible; None when no eligible learners are known."""
        if not self.eligible:
            return None
        return Decimal(self.active_learners) / Decimal(self.eligible)

    @property
    def completion_rate(self) -> Decimal | None:
        if not self.eligible:
            return None
        return Decimal(self.completers) / Decimal(self.eligible)

    @property
    def rate_display(self) -> str:
        return "no eligible learners" if self.rate is None else percent(self.rate)

    @property
    def completion_display(self) -> str:
        return "—" if self.completion_rate is None else percent(self.completion_rate)

    @property
    def anchor(self) -> str:
        return f"month-{self.month:%Y-%m}"


def rates_by_program(
    org: Organization,
    *,
    first: date | None = None,
    last: date | None = None,
    programs: Iterable[int] | None = None,
) -> dict[int, list[MonthRate]]:
    """Each program's months in order, from the rollup and the eligible counts: two
    queries, however many programs and months. A month with eligible learners and no
    activity has a rate of 0; one with activity and no eligible learners, none."""
    rollup = ProgramMonth.objects.for_org(org)
    eligible = EligibleLearners.objects.for_org(org)
    if first is not None:
        rollup, eligible = rollup.filter(month__gte=first), eligible.filter(month__gte=first)
    if last is not None:
        rollup, eligible = rollup.filter(month__lte=last), eligible.filter(month__lte=last)
    if programs is not None:
        ids = list(programs)
        rollup, eligible = rollup.filter(program_id__in=ids), eligible.filter(program_id__in=ids)
    months: dict[int, dict[date, dict[str, Any]]] = defaultdict(dict)
    for row in rollup.values(
        "program_id", "month", "active_learners", "completers", "events", "events_by_type"
    ):
        data: dict[str, Any] = dict(row)
        months[data.pop("program_id")][data["month"]] = data
    for program_id, month, count in eligible.values_list("program_id", "month", "count"):
        months[program_id].setdefault(month, {"month": month})["eligible"] = count
    return {
        program_id: [MonthRate(**rows[m]) for m in sorted(rows)]
        for program_id, rows in months.items()
    }


def monthly_rates(program: Program) -> list[MonthRate]:
    """The program's calendar months in order, with the active learner and completion
    rates (see ENGAGEMENT_RULE)."""
    return rates_by_program(program.org, programs=[program.pk]).get(program.pk, [])


def recent_rates(org: Organization, today: date) -> dict[int, list[MonthRate]]:
    """Every program's last three complete months: what the decline rule reads."""
    last = last_complete_month(today)
    return rates_by_program(org, first=add_months(last, -2), last=last)


# Decline --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decline:
    kind: str  # "two-months" or "big-fall"
    months: tuple[MonthRate, MonthRate, MonthRate]

    @property
    def summary(self) -> str:
        a, b, c = self.months
        figures = (
            f"{percent(a.rate)} in {a.month:%B}, {percent(b.rate)} in {b.month:%B}, "
            f"{percent(c.rate)} in {c.month:%B %Y}"
        )
        if self.kind == "two-months":
            return f"Active learner rate {figures}: down two months running."
        assert b.rate and c.rate is not None
        fall = (b.rate - c.rate) / b.rate
        return f"Active learner rate {figures}: down {percent(fall)} in one month."


def decline(rates: list[MonthRate], *, share: Decimal, last: date) -> Decline | None:
    """The decline rule (DECLINE_RULE) over the three months ending with `last`."""
    by_month = {r.month: r for r in rates}
    window = [by_month.get(add_months(last, k)) for k in (-2, -1, 0)]
    if any(r is None or r.rate is None for r in window):
        return None
    first, middle, latest = window
    assert first and middle and latest and first.rate is not None and middle.rate is not None
    assert latest.rate is not None
    months = (first, middle, latest)
    if latest.rate < middle.rate < first.rate:
        return Decline("two-months", months)
    if middle.rate > 0 and (middle.rate - latest.rate) / middle.rate > share:
        return Decline("big-fall", months)
    return None


def declines(
    org: Organization, today: date, rates: dict[int, list[MonthRate]] | None = None
) -> dict[int, Decline]:
    """The programs whose rate is declining at the last complete month, by program id.
    Pass `rates` when the last three months are already loaded (`recent_rates`)."""
    last = last_complete_month(today)
    shares = dict(Program.objects.for_org(org).values_list("pk", "decline_share"))
    if rates is None:
        rates = recent_rates(org, today)
    found = {}
    for program_id, months in rates.items():
        if program_id in shares:
            falling = decline(months, share=shares[program_id], last=last)
            if falling is not None:
                found[program_id] = falling
    return found


def decline_findings(org: Organization, today: date) -> list[Finding]:
    """One finding per program whose active learner rate is declining (DECLINE_RULE)."""
    found = declines(org, today)
    programs = (
        Program.objects.for_org(org)
        .filter(pk__in=found)
        .values_list("pk", "initiative__title", "initiative__owner_id")
        .order_by("initiative__title")
    )
    return [
        Finding(
            subject=f"program:{pk}",
            title=f"Active learners are falling in {title}",
            detail=found[pk].summary,
            url=reverse("measurement:program_detail", args=[pk])
            + f"#{found[pk].months[-1].anchor}",
            state=f"{found[pk].months[-1].month:%Y-%m}:{found[pk].kind}",
            owner_id=owner_id,
        )
        for pk, title, owner_id in programs
    ]


# The dashboard --------------------------------------------------------------------------


def headlines(org: Organization, today: date) -> list[Headline]:
    """The learner-engagement card: the active learner rate of all programs together in
    the last complete month (active learners of the programs with eligible learners ÷
    their eligible learners), with the twelve months before it as its trend."""
    last = last_complete_month(today)
    first = add_months(last, -11)
    totals: dict[date, list[int]] = {}
    for months in rates_by_program(org, first=first, last=last).values():
        for m in months:
            if m.eligible:
                active, eligible = totals.setdefault(m.month, [0, 0])
                totals[m.month] = [active + m.active_learners, eligible + m.eligible]
    trend = tuple(
        TrendPoint(day=month, value=round(active / eligible, 4))  # a share, as every trend
        for month, (active, eligible) in sorted(totals.items())
    )
    latest = totals.get(last)
    value = (
        None if latest is None else (Decimal(100 * latest[0]) / latest[1]).quantize(Decimal("0.1"))
    )
    if latest is None:
        note = f"No eligible learners entered for {last:%B %Y}."
    else:
        note = f"{latest[0]:,} of {latest[1]:,} eligible learners, {last:%B %Y}."
    return [
        Headline(
            family=KpiFamily.LEARNER_ENGAGEMENT,
            title="Monthly active learner rate, all programs",
            value=value,
            display="not computable" if value is None else f"{value:.0f}\u00a0%",
            rule=ENGAGEMENT_RULE,
            url=reverse("measurement:engagement"),
            note=note,
            trend=trend,
        )
    ]
