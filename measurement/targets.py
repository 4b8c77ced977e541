"""What an import can write to: each target's fields (with their types) and its writer.

A target is a few lines: the fields a row needs, what the source must point at (a
program, a KPI) and a writer that goes through the same function the forms use
(`Kpi.record`, `engagement.record_events`, `engagement.set_eligible`,
`surveys.record_response`), so an import validates and upserts exactly as a person would.
Apps above measurement add their own with `register` (roadmap registers "requests"), so
measurement never imports them.

A writer is opened once per run (`target.open(source)`), is handed batches of cleaned rows
and is closed at the end; it reports per batch how many rows it wrote, how many were
already there unchanged, and the rows it refused with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from measurement import activity_copy, alignment, engagement, surveys, tabular
from measurement.models import (
    Forum,
    KpiValue,
    LearnerEvent,
    Program,
    SurveyResponse,
    Touchpoint,
)
from roadmap_site.cache import bump_org
from roadmap_site.models import Person

if TYPE_CHECKING:
    from measurement.models import MetricSource

# KpiValue.value is DECIMAL(16, 4).
MAX_KPI_VALUE = Decimal(10) ** 12


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, int, decimal, date, month, datetime
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet shows it
    values: dict[str, Any]


@dataclass(frozen=True)
class Refusal:
    row: int
    message: str
    column: str = ""
    value: str = ""


@dataclass
class Outcome:
    written: int = 0
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        self.written += other.written
        self.unchanged += other.unchanged
        self.refused += other.refused


class Writer:
    """Writes batches one by one (the default); `close` is for writers that stage."""

    def __init__(self, source: MetricSource, write: Callable[[MetricSource, list[Row]], Outcome]):
        self.source, self._write = source, write

    def add(self, rows: list[Row]) -> Outcome:
        return self._write(self.source, rows)

    def close(self) -> Outcome:
        return Outcome()


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    fields: tuple[Field, ...]
    write: Callable[[MetricSource, list[Row]], Outcome]
    needs: str = ""  # "program" or "kpi": the source must name one
    writer: Callable[[MetricSource], Writer] | None = None
    # Takes a whole CSV file at once (see `import_activity_csv`); None when it cannot.
    bulk: Callable[..., activity_copy.Staged | None] | None = None

    def open(self, source: MetricSource) -> Writer:
        return self.writer(source) if self.writer else Writer(source, self.write)

    @property
    def columns(self) -> str:
        return ", ".join(f.name + ("" if f.required else " (optional)") for f in self.fields)


TARGETS: dict[str, Target] = {}


def register(target: Target) -> Target:
    TARGETS[target.key] = target
    return target


def choices() -> list[tuple[str, str]]:
    return [(t.key, t.label) for t in TARGETS.values()]


def parser(kind: str, source: MetricSource) -> Callable[[Any], Any]:
    """The function that cleans a value of `kind`; it raises tabular.ValueProblem."""
    match kind:
        case "int":
            return tabular.parse_int
        case "decimal":
            return tabular.parse_decimal
        case "date":
            return tabular.parse_date
        case "month":
            return tabular.parse_month
        case "datetime":
            zone = source.org.zone
            return lambda value: tabular.parse_datetime(value, zone)
        case _:
            return tabular.parse_text


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


# KPI values -------------------------------------------------------------------------------


def write_kpi_values(source: MetricSource, rows: list[Row]) -> Outcome:
    kpi = source.kpi
    assert kpi is not None and kpi.org_id == source.org_id
    outcome = Outcome()
    dates = {r.values["date"] for r in rows}
    existing = {
        (v.date, v.segment): (v.value, v.note)
        for v in KpiValue.objects.filter(kpi=kpi, date__in=dates)
    }
    for row in rows:
        value: Decimal = row.values["value"]
        segment = row.values.get("segment") or ""
        note = row.values.get("note") or ""
        if abs(value) >= MAX_KPI_VALUE:
            outcome.refused.append(Refusal(row.number, "The value is too large.", "value"))
            continue
        if len(segment) > 100 or len(note) > 300:
            outcome.refused.append(Refusal(row.number, "The segment or note is too long."))
            continue
        value = value.quantize(Decimal("0.0001"))
        key = (row.values["date"], segment)
        if existing.get(key) == (value, note):
            outcome.unchanged += 1
            continue
        kpi.record(day=key[0], value=value, segment=segment, note=note)
        existing[key] = (value, note)
        outcome.written += 1
    return outcome


# Learner activity -------------------------------------------------------------------------


def _event(row: Row) -> dict[str, Any]:
    return {
        "learner_key": row.values["learner_key"],
        "event_type": row.values["event_type"],
        "occurred_at": row.values["occurred_at"],
        "statement_id": row.values.get("statement_id") or None,
    }


def write_learner_activity(source: MetricSource, rows: list[Row]) -> Outcome:
    """Through `record_events`, as the form: the bulk path on SQLite."""
    assert source.program is not None
    result = engagement.record_events(
        program=source.program, events=[_event(r) for r in rows], org=source.org
    )
    return Outcome(
        written=result.written,
        unchanged=result.duplicates,
        refused=[Refusal(rows[r.index].number, r.reason) for r in result.rejected],
    )


class CopyActivityWriter(Writer):
    """PostgreSQL: every batch is validated by engagement's own rules and COPYed into a
    temporary staging table; `close` moves it with one INSERT … ON CONFLICT DO NOTHING
    (the natural key's unique constraint makes a repeat a no-op) and recounts the months
    touched, as `record_events` does. The staging table lives as long as the run's
    transaction (ON COMMIT DROP), so a killed run leaves nothing behind."""

    def __init__(self, source: MetricSource):
        super().__init__(source, write_learner_activity)
        assert source.program is not None
        self.program: Program = source.program
        self.staged = 0
        self.months: set[date] = set()
        self.now = datetime.now().astimezone()
        with connection.cursor() as cursor:
            engagement.lock_program(self.program)
            # Dropped first: a run inside a longer transaction (a test, a command) may meet
            # the previous run's table.
            cursor.execute("DROP TABLE IF EXISTS import_event_stage")
            cursor.execute(
                "CREATE TEMPORARY TABLE import_event_stage (learner_key text, "
                "event_type text, occurred_at timestamptz, statement_id uuid) ON COMMIT DROP"
            )

    def add(self, rows: list[Row]) -> Outcome:
        outcome = Outcome()
        zone = self.program.org.zone
        with (
            connection.cursor() as cursor,
            cursor.copy("COPY import_event_stage FROM STDIN") as copy,
        ):
            for row in rows:
                try:
                    key, kind, occurred, statement = engagement._clean_event(_event(row), self.now)
                except engagement.EngagementError as error:
                    outcome.refused.append(Refusal(row.number, str(error)))
                    continue
                copy.write_row((key, kind, occurred, statement))
                self.months.add(engagement.month_of(occurred, zone))
                self.staged += 1
        return outcome

    def close(self) -> Outcome:
        if not self.staged:
            return Outcome()
        table = LearnerEvent._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} "  # noqa: S608 (the table name is the model's)
                "(org_id, program_id, learner_key, event_type, occurred_at, statement_id, "
                "created_at) SELECT %s, %s, learner_key, event_type, occurred_at, "
                "statement_id, %s FROM import_event_stage "
                "ON CONFLICT (program_id, learner_key, event_type, occurred_at) DO NOTHING",
                [self.program.org_id, self.program.pk, self.now],
            )
            written = cursor.rowcount
        if written:
            engagement.recount_months(self.program, self.months)
            bump_org(self.program.org)
        return Outcome(written=written, unchanged=self.staged - written)


def import_activity_csv(
    *,
    source: MetricSource,
    stream: IO[bytes],
    table: tabular.Table,
    positions: dict[str, int | None],
    clean: Callable[[int, list[Any]], Any],
    cap: int,
    limit: int,
    progress: Callable[[int], None],
) -> activity_copy.Staged | None:
    """PostgreSQL: the whole file through COPY and SQL (`measurement.activity_copy`),
    judging the rows SQL leaves to Python (and wording refusals) with `clean`, the row
    path's cleaner, and `_clean_event`. None elsewhere: the caller goes row by row."""
    if connection.vendor != "postgresql":
        return None
    assert source.program is not None
    now = timezone.now()

    def judge(number: int, raw: list[Any]) -> tuple[list[Refusal], Any]:
        row = clean(number, raw)
        if row.problems:
            return row.problems, None
        try:
            return [], engagement._clean_event(_event(Row(number, row.values)), now)
        except engagement.EngagementError as error:
            return [Refusal(number, str(error))], None

    return activity_copy.import_csv(
        program=source.program,
        stream=stream,
        header=table.header,
        encoding=table.encoding,
        delimiter=table.delimiter,
        positions=positions,
        judge=judge,
        now=now,
        cap=cap,
        limit=limit,
        progress=progress,
    )


def activity_writer(source: MetricSource) -> Writer:
    if connection.vendor == "postgresql":
        return CopyActivityWriter(source)
    return Writer(source, write_learner_activity)


# Eligible learners and survey responses ---------------------------------------------------


def write_eligible(source: MetricSource, rows: list[Row]) -> Outcome:
    assert source.program is not None
    outcome = Outcome()
    for row in rows:
        try:
            _, changed = engagement.set_eligible(
                program=source.program, month=row.values["month"], count=row.values["count"]
            )
        except engagement.EngagementError as error:
            outcome.refused.append(Refusal(row.number, str(error), "count"))
            continue
        if changed:
            outcome.written += 1
        else:
            outcome.unchanged += 1
    return outcome


def write_survey_responses(source: MetricSource, rows: list[Row]) -> Outcome:
    program = source.program
    assert program is not None
    outcome = Outcome()
    keyed = {
        (r.values.get("respondent") or "", r.values["responded_on"])
        for r in rows
        if r.values.get("respondent")
    }
    before = {
        (s.respondent, s.responded_on): (s.score, s.comment)
        for s in SurveyResponse.objects.filter(
            program=program,
            respondent__in={k[0] for k in keyed},
            responded_on__in={k[1] for k in keyed},
        )
    }
    for row in rows:
        respondent = row.values.get("respondent") or ""
        try:
            with transaction.atomic():
                response, created = surveys.record_response(
                    org=source.org,
                    program=program,
                    score=row.values["score"],
                    responded_on=row.values["responded_on"],
                    comment=row.values.get("comment") or "",
                    respondent=respondent,
                )
        except ValidationError as error:
            outcome.refused.append(Refusal(row.number, _message(error)))
            continue
        key = (respondent, row.values["responded_on"])
        if not created and before.get(key) == (response.score, response.comment):
            outcome.unchanged += 1
        else:
            outcome.written += 1
        before[key] = (response.score, response.comment)
    return outcome


def write_touchpoints(source: MetricSource, rows: list[Row]) -> Outcome:
    """Touchpoints with senior stakeholders, named by their e-mail or their name as on the
    People page; the forum by its name ("Budget cycle") or its key ("budget_cycle")."""
    outcome = Outcome()
    people = Person.objects.for_org(source.org)
    by_key = {p.email.lower(): p for p in people if p.email} | {p.name.lower(): p for p in people}
    forums = {f.value: f.value for f in Forum} | {f.label.lower(): f.value for f in Forum}
    # What the batch's days already hold, in one query: (senior, day, forum) → notes.
    before = {
        (t.stakeholder_id, t.date, t.forum): t.notes
        for t in Touchpoint.objects.for_org(source.org).filter(
            date__in={row.values["date"] for row in rows}
        )
    }
    for row in rows:
        who = str(row.values["stakeholder"]).strip().lower()
        person = by_key.get(who)
        if person is None:
            outcome.refused.append(
                Refusal(
                    row.number, "No one of that name or e-mail on the People page.", "stakeholder"
                )
            )
            continue
        forum = forums.get(str(row.values["forum"]).strip().lower())
        if forum is None:
            known = ", ".join(f.label for f in Forum)
            outcome.refused.append(
                Refusal(row.number, f"Not a forum; use one of: {known}.", "forum")
            )
            continue
        notes = (row.values.get("notes") or "").strip()
        key = (person.pk, row.values["date"], forum)
        try:
            with transaction.atomic():
                alignment.record_touchpoint(
                    org=source.org,
                    stakeholder=person,
                    day=row.values["date"],
                    forum=forum,
                    notes=notes,
                )
        except ValidationError as error:
            outcome.refused.append(Refusal(row.number, _message(error)))
            continue
        if before.get(key) != notes:  # new (None), or its notes changed
            outcome.written += 1
        else:
            outcome.unchanged += 1
        before[key] = notes  # the same touchpoint twice in one file: the second is unchanged
    return outcome


register(
    Target(
        key="kpi_values",
        label="KPI values",
        needs="kpi",
        fields=(
            Field("date", "date", help="The day the value was measured."),
            Field("value", "decimal"),
            Field("segment", "text", required=False, help="Empty for the whole population."),
            Field("note", "text", required=False),
        ),
        write=write_kpi_values,
    )
)
register(
    Target(
        key="learner_activity",
        label="Learner activity",
        needs="program",
        fields=(
            Field("learner_key", "text", help="A pseudonymous id, never a name."),
            Field("event_type", "text", help="launched, completed… or an xAPI verb."),
            Field("occurred_at", "datetime"),
            Field("statement_id", "text", required=False),
        ),
        write=write_learner_activity,
        writer=activity_writer,
        bulk=import_activity_csv,
    )
)
register(
    Target(
        key="eligible_learners",
        label="Eligible learners",
        needs="program",
        fields=(Field("month", "month"), Field("count", "int")),
        write=write_eligible,
    )
)
register(
    Target(
        key="survey_responses",
        label="Survey responses",
        needs="program",
        fields=(
            Field("responded_on", "date"),
            Field("score", "int", help="0 to 10."),
            Field("respondent", "text", required=False, help="Makes a re-import an update."),
            Field("comment", "text", required=False),
        ),
        write=write_survey_responses,
    )
)

register(
    Target(
        key="touchpoints",
        label="Touchpoints with senior stakeholders",
        fields=(
            Field("date", "date"),
            Field("stakeholder", "text", help="Their e-mail or name as on the People page."),
            Field("forum", "text", help="Budget cycle, workforce planning, performance review…"),
            Field("notes", "text", required=False),
        ),
        write=write_touchpoints,
    )
)


def field_names(key: str) -> Iterable[str]:
    return [f.name for f in TARGETS[key].fields]
