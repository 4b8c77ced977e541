"""Learner activity through COPY and SQL (`measurement.activity_copy`) says what the row
path says: the same rows refused with the same messages, the same events stored, the same
counts. Each file is imported twice into two programs, once per path, and compared."""

from __future__ import annotations

import dataclasses
import sys
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection

from measurement import activity_copy, sources, targets
from measurement.models import ImportRowError, ImportRun, LearnerEvent, MetricSource, Program
from tests.factories import InitiativeFactory, RoadmapFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]
NOW = datetime(2026, 7, 10, 12, tzinfo=UTC)
STATEMENT = uuid.UUID("6690e6c9-3ef0-4ed3-8b37-7f3964730bee")

# Every way a time or a cell can be written, good and bad; the org is in Europe/Paris.
ROWS = [
    ("l1", "launched", "2026-05-31T14:30:00Z", ""),
    (" l2 ", "http://adlnet.gov/expapi/verbs/completed/", "2026-05-31 14:30:00+02:00", ""),
    ("l3", "attempted", "2026-05-31T14:30", ""),
    ("l4", "launched", "31/05/2026 14:30", ""),
    ("l5", "launched", "31.05.2026", ""),
    ("l6", "launched", "46173.5", ""),
    ("l7", "launched", "46173,25", ""),
    ("l8", "launched", "2025-10-26 02:30", ""),  # the clocks go back: twice that night
    ("l9", "launched", "2026-03-29 02:30", ""),  # the clocks go forward: never that night
    ("l10", "launched", "2026-02-30T10:00:00Z", ""),
    ("l11", "launched", "2026-13-01T10:00:00Z", ""),
    ("l12", "launched", "1850-01-01T00:00:00Z", ""),
    ("l13", "launched", "2027-01-01T00:00:00Z", ""),
    ("", "launched", "2026-05-31T10:00:00Z", ""),
    ("l15", "", "", ""),
    ("l16", "launched", "not a time", ""),
    ("l17", "/", "2026-05-31T10:00:00Z", ""),
    ("x" * 65, "launched", "2026-05-31T10:00:00Z", ""),
    ("l19", "v" * 51, "2026-05-31T10:00:00Z", ""),
    ("l20", "launched", "2026-05-31T10:00:00Z", "not-a-uuid"),
    ("l21", "launched", "2026-05-31T10:00:00Z", f"{{urn:uuid:{STATEMENT}}}"),
    ("l22", "launched", "20260531", ""),
    ("l23", "launched", "2026-05-31T14:30:00.123456789Z", ""),
    ("l1", "launched", "2026-05-31T14:30:00Z", ""),  # row 2 again: unchanged
    ("", " ", "", ""),  # blank: skipped, but it keeps its number
    ("l26", "launched", "2026-05-31T14:30:00+15:00", ""),
    ("l27", "launched", "2026-05-31t14:30:00z", ""),
    ("l28", "launched", "1", ""),
    ("l29", "launched", "0", ""),
    ("l30", "launched", "2026-05-31T14:30:00-03:30", ""),
    ("l31", "launched", "2026-05-31T10:00:00Z", "0123456789abcdef0123456789abcd_f"),
    ("l32", "launched", "2024-02-29T10:00:00Z", ""),
    ("l33", "launched", "2026-02-29T10:00:00Z", ""),
    ("\u00a0l34\u2003", "completed", "2026-06-01T08:00:00.5+0100", ""),
    ("l35", "launched", "2026-05-31T14:30:00+02", ""),
    ("l36", "launched", "2101-01-01T00:00:00Z", ""),
    ("l37", "launched", "31/04/2026", ""),
    ("l38", "launched", "2026-05-31T24:00:00Z", ""),
]
# Rows SQL hands to Python: times it does not convert itself (and the odd UUID).
JUDGED_IN_PYTHON = 15


def csv_of(rows, delimiter=",") -> bytes:
    def cell(value: str) -> str:
        return f'"{value}"' if delimiter in value or '"' in value else value

    lines = [delimiter.join(("learner_key", "event_type", "occurred_at", "statement_id"))]
    lines += [delimiter.join(cell(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def paris(org):
    org.time_zone = "Europe/Paris"
    org.save()
    return org


def new_source(org) -> MetricSource:
    roadmap = RoadmapFactory(org=org)
    program = Program.objects.for_initiative(InitiativeFactory(org=org, roadmap=roadmap))
    return MetricSource.objects.create(
        org=org, name=f"Activity {program.pk}", target="learner_activity", program=program
    )


@pytest.fixture
def spy(monkeypatch):
    """Records what the SQL path returned (None: it handed the file to the row path)."""
    calls: list[activity_copy.Staged | None] = []
    original = activity_copy.import_csv

    def recording(**kwargs):
        calls.append(original(**kwargs))
        return calls[-1]

    monkeypatch.setattr(activity_copy, "import_csv", recording)
    return calls


@pytest.fixture
def row_path(monkeypatch):
    """Runs an import with the SQL path switched off."""
    target = targets.TARGETS["learner_activity"]

    def run(source, data: bytes) -> ImportRun:
        with monkeypatch.context() as patch:
            patch.setitem(targets.TARGETS, target.key, dataclasses.replace(target, bulk=None))
            return run_file(source, data)

    return run


def run_file(source, data: bytes) -> ImportRun:
    run = sources.start_run(source=source, file=ContentFile(data, name="activity.csv"))
    assert sources.claim(run.pk)
    return sources.perform_run(run.pk)


def outcome(run: ImportRun) -> dict:
    run.refresh_from_db()
    return {
        "counts": (run.rows_read, run.rows_written, run.rows_unchanged, run.rows_rejected),
        "status": run.status,
        "error": run.error,
        "refusals": sorted(
            ImportRowError.objects.filter(run=run).values_list("row", "column", "value", "message")
        ),
        "events": sorted(
            LearnerEvent.objects.filter(program=run.source.program).values_list(
                "learner_key", "event_type", "occurred_at", "statement_id"
            )
        ),
    }


def test_the_sql_path_refuses_and_stores_what_the_row_path_does(paris, spy, row_path):
    data = csv_of(ROWS)
    by_sql = outcome(run_file(new_source(paris), data))
    by_rows = outcome(row_path(new_source(paris), data))

    staged = spy[0]
    assert staged is not None, "the SQL path handed this file to the row path"
    assert staged.judged_in_python == JUDGED_IN_PYTHON
    assert by_sql == by_rows
    # And the row path is right, so both are: spot checks on what they agree on.
    assert by_sql["counts"] == (37, 18, 1, 18)
    refusals = {row: message for row, _, _, message in by_sql["refusals"]}
    assert refusals[11] == "Not a real date and time."
    assert refusals[13] == "Not between 1900 and 2100."
    assert refusals[14] == "The time is in the future."
    assert refusals[21] == "The statement id is not a UUID."
    events = {key: (kind, at, statement) for key, kind, at, statement in by_sql["events"]}
    assert events["l2"][0] == "completed"
    assert events["l8"][1] == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)  # the first 02:30
    assert events["l9"][1] == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert events["l6"][1] == datetime(2026, 5, 31, 10, 0, tzinfo=UTC)  # 12:00 in Paris
    assert events["l21"][2] == STATEMENT
    assert events["l34"][1] == datetime(2026, 6, 1, 7, 0, 0, 500000, tzinfo=UTC)


def test_a_rerun_through_sql_changes_nothing_and_all_or_nothing_holds(paris, spy):
    source = new_source(paris)
    good = csv_of(ROWS[:6])
    first, second = outcome(run_file(source, good)), outcome(run_file(source, good))
    assert first["counts"] == (6, 6, 0, 0) and second["counts"] == (6, 0, 6, 0)
    assert first["events"] == second["events"]

    strict = new_source(paris)
    strict.all_or_nothing = True
    strict.save()
    refused = outcome(run_file(strict, csv_of(ROWS[:12])))
    assert refused["status"] == "failed" and refused["events"] == []
    assert [row for row, *_ in refused["refusals"]] == [11, 12, 13]
    assert all(staged is not None for staged in spy)


def test_a_semicolon_windows_1252_file_goes_through_sql(paris, spy, row_path):
    rows = [("zoë", "launched", "31/05/2026 14:30", ""), ("l2", "launched", "46173,5", "")]
    data = csv_of(rows, delimiter=";").decode().encode("cp1252")
    by_sql = outcome(run_file(new_source(paris), data))
    assert spy[0] is not None
    assert by_sql["events"][1][0] == "zoë"
    assert by_sql == outcome(row_path(new_source(paris), data))


@pytest.mark.parametrize(
    "data",
    [
        b"learner_key,event_type,occurred_at\nl1,launched,2026-05-31T10:00:00Z,extra\n",
        b"learner_key,event_type,occurred_at\nl1,launched\n",
        b"learner_key,event_type,occurred_at\n\\.\nl1,launched,2026-05-31T10:00:00Z\n",
        b"learner_key,event_type,occurred_at\n"
        + b"l2,launched,2026-05-31T10:00:00Z\n" * 4_000
        + b"l\xff,launched,2026-05-31T10:00:00Z\n",
    ],
    ids=["a cell too many", "a cell short", "an end-of-data line", "a byte past the sample"],
)
def test_a_file_copy_cannot_read_goes_row_by_row_with_the_same_result(paris, spy, row_path, data):
    by_sql = outcome(run_file(new_source(paris), data))
    assert spy[0] is None
    assert by_sql == outcome(row_path(new_source(paris), data))


def test_the_row_cap_holds_on_the_sql_path(paris, spy, settings):
    settings.IMPORT_MAX_ROWS = 5
    run = run_file(new_source(paris), csv_of(ROWS[:6]))
    assert run.status == "failed" and "more than 5 rows" in run.error
    assert not LearnerEvent.objects.filter(program=run.source.program).exists()


def test_sql_strips_what_python_strips():
    every = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert every == activity_copy.WHITESPACE
