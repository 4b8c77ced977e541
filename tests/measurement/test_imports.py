"""Import runs end to end through the service: real files (CSV in several encodings and
delimiters, XLSX), real writers, real database rows."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from measurement import alerts, engagement, sources, tabular, tasks
from measurement.models import (
    Alert,
    AlertKind,
    EligibleLearners,
    ImportRowError,
    ImportRun,
    KpiValue,
    LearnerEvent,
    MetricSource,
    Program,
    ProgramMonth,
    RunStatus,
    SurveyResponse,
    Touchpoint,
)
from roadmap.models import TrainingRequest
from tests.factories import InitiativeFactory, KpiFactory, PersonFactory, RoadmapFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 7, 10, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def kpi(org):
    return KpiFactory(org=org, name="Time to productivity")


def source_for(org, target, **fields) -> MetricSource:
    fields.setdefault("name", f"{target} source")
    return MetricSource.objects.create(org=org, target=target, **fields)


def run_file(source, data: bytes, name="rows.csv", mapping=None) -> ImportRun:
    """Upload, claim and perform, as the view and the task do."""
    run = sources.start_run(source=source, file=ContentFile(data, name=name), mapping=mapping)
    assert sources.claim(run.pk)
    return sources.perform_run(run.pk)


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Formats -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter"),
    [
        (b"date,value\n2026-05-31,12.5\n", "utf-8-sig", ","),
        ("\ufeffdate;value\n31/05/2026;12,5\n".encode(), "utf-8-sig", ";"),
        ("date;value;note\n31.05.2026;12,5;Qualité été\n".encode("cp1252"), "cp1252", ";"),
    ],
    ids=["utf8-comma", "utf8-bom-semicolon-decimal-comma", "cp1252-semicolon"],
)
def test_csv_encodings_delimiters_and_decimal_commas(org, kpi, data, encoding, delimiter):
    table = tabular.open_table(io.BytesIO(data))
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    run = run_file(source_for(org, "kpi_values", kpi=kpi), data)
    assert run.status == RunStatus.SUCCEEDED, run.error
    value = KpiValue.objects.get(kpi=kpi)
    assert (value.date, value.value) == (date(2026, 5, 31), Decimal("12.5"))
    if b"note" in data:
        assert value.note == "Qualité été"  # Windows-1252 accents read right


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-31", date(2026, 5, 31)),
        ("31/05/2026", date(2026, 5, 31)),
        ("46173", date(2026, 5, 31)),  # an Excel serial number
        (46173.75, date(2026, 5, 31)),
        (datetime(2026, 5, 31, 8), date(2026, 5, 31)),  # noqa: DTZ001 (an XLSX cell is naive)
    ],
)
def test_dates_as_spreadsheets_have_them(text, expected):
    assert tabular.parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "May 31", "2026-13-01", ""])
def test_bad_dates_are_refused_with_a_reason(text):
    with pytest.raises(tabular.ValueProblem):
        tabular.parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.234,5", "1234.5"), ("1,234.5", "1234.5"), ("12,5", "12.5"), ("1 234", "1234")],
)
def test_decimals(text, expected):
    assert tabular.parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["1e10000000", "1e-10000000", "9" * 40])
def test_absurd_numbers_are_refused_at_once(text):
    with pytest.raises(tabular.ValueProblem, match="Too large or too small"):
        tabular.parse_int(text)


def test_xlsx_with_date_cells_and_serials(org, kpi):
    data = xlsx([["Day", "Reading"], [datetime(2026, 3, 1), 40], [46113, 38.5]])  # noqa: DTZ001
    run = run_file(
        source_for(org, "kpi_values", kpi=kpi),
        data,
        name="readings.xlsx",
        mapping={"date": "Day", "value": "Reading"},
    )
    assert run.status == RunStatus.SUCCEEDED, run.error
    got = list(KpiValue.objects.filter(kpi=kpi).values_list("date", "value"))
    assert got == [(date(2026, 3, 1), Decimal(40)), (date(2026, 4, 1), Decimal("38.5"))]


def test_json_list_of_objects(org, kpi):
    data = b'{"data": [{"date": "2026-06-01", "value": 3}]}'
    run = run_file(source_for(org, "kpi_values", kpi=kpi), data)
    assert run.status == RunStatus.SUCCEEDED
    assert KpiValue.objects.get(kpi=kpi).value == 3


# Bad rows, all or nothing, idempotency --------------------------------------------------------


BAD = b"date,value\n2026-05-01,10\n2026-05-02,ten\n,11\n2026-05-04,12\n"


def test_bad_rows_are_reported_with_row_column_value_and_message(org, kpi):
    run = run_file(source_for(org, "kpi_values", kpi=kpi), BAD)
    assert run.status == RunStatus.PARTIAL
    assert (run.rows_read, run.rows_written, run.rows_rejected) == (4, 2, 2)
    errors = list(ImportRowError.objects.filter(run=run).values_list("row", "column", "value"))
    assert errors == [(3, "value", "ten"), (4, "date", "")]
    assert "number" in ImportRowError.objects.get(run=run, row=3).message
    assert KpiValue.objects.filter(kpi=kpi).count() == 2


def test_all_or_nothing_writes_nothing_when_a_row_is_bad(org, kpi):
    run = run_file(source_for(org, "kpi_values", kpi=kpi, all_or_nothing=True), BAD)
    assert run.status == RunStatus.FAILED
    assert "nothing was written" in run.error
    assert run.rows_written == 0 and run.rows_rejected == 2
    assert not KpiValue.objects.filter(kpi=kpi).exists()
    assert ImportRowError.objects.filter(run=run).count() == 2  # still reported


def test_a_rerun_of_the_same_file_changes_nothing(org, kpi, program):
    data = b"date,value,segment\n2026-05-01,10,\n2026-05-01,9,EMEA\n"
    source = source_for(org, "kpi_values", kpi=kpi)
    first = run_file(source, data)
    second = run_file(source, data)
    assert (first.rows_written, first.rows_unchanged) == (2, 0)
    assert (second.rows_written, second.rows_unchanged) == (0, 2)
    assert first.file_hash == second.file_hash and len(first.file_hash) == 64
    assert KpiValue.objects.filter(kpi=kpi).count() == 2


def test_learner_activity_import_is_idempotent_and_recounts_months(org, program):
    rows = "learner_key,event_type,occurred_at\n" + "".join(
        f"l{i},launched,2026-05-{1 + i % 28:02d}T09:00:00Z\n" for i in range(30)
    )
    rows += "l1,launched,not a time\n"
    source = source_for(org, "learner_activity", program=program)
    first = run_file(source, rows.encode())
    second = run_file(source, rows.encode())
    assert (first.rows_written, first.rows_rejected) == (30, 1)
    assert (second.rows_written, second.rows_unchanged) == (0, 30)
    assert LearnerEvent.objects.filter(program=program).count() == 30
    assert ProgramMonth.objects.get(program=program, month=date(2026, 5, 1)).active_learners == 30


def test_naive_times_are_on_the_organisations_clock(org, program):
    org.time_zone = "Europe/Paris"
    org.save()
    data = b"learner_key;event_type;occurred_at\nl1;completed;31/05/2026 14:30\n"
    run_file(source_for(org, "learner_activity", program=program), data)
    event = LearnerEvent.objects.get(program=program)
    assert event.occurred_at == datetime(2026, 5, 31, 12, 30, tzinfo=UTC)


def test_eligible_learners_and_survey_responses(org, program):
    eligible = source_for(org, "eligible_learners", program=program)
    run = run_file(eligible, b"month,count\n2026-05,120\n06/2026,-3\n")
    assert (run.rows_written, run.rows_rejected) == (1, 1)
    assert EligibleLearners.objects.get(program=program).count == 120
    surveys = MetricSource.objects.create(
        org=org, name="NPS", target="survey_responses", program=program
    )
    data = b"responded_on,score,respondent\n2026-05-03,9,r1\n2026-05-03,11,r2\n"
    run = run_file(surveys, data)
    assert (run.rows_written, run.rows_rejected) == (1, 1)
    assert run_file(surveys, data).rows_unchanged == 1
    assert SurveyResponse.objects.filter(program=program).count() == 1


def test_touchpoints_name_seniors_by_email_or_name_and_forums_by_name(org):
    grace = PersonFactory(org=org, name="Grace Kim", email="grace@example.com", is_senior=True)
    david = PersonFactory(org=org, name="David Chen", is_senior=True)
    PersonFactory(org=org, name="Not Senior")
    source = source_for(org, "touchpoints")
    data = (
        b"date,stakeholder,forum,notes\n"
        b"2026-05-04,GRACE@example.com,Budget cycle,Recast\n"  # e-mail, any case; a label
        b"2026-05-05,David Chen,workforce_planning,\n"  # a name; a key
        b"2026-05-06,Nobody Here,Budget cycle,\n"  # unknown person
        b"2026-05-06,David Chen,Coffee,\n"  # unknown forum
        b"2026-05-06,Not Senior,Business review,\n"  # refused by record_touchpoint
    )
    run = run_file(source, data)
    assert (run.rows_written, run.rows_unchanged, run.rows_rejected) == (2, 0, 3)
    assert {(t.stakeholder, t.forum, t.notes) for t in Touchpoint.objects.filter(org=org)} == {
        (grace, "budget_cycle", "Recast"),
        (david, "workforce_planning", ""),
    }
    columns = [e.column for e in run.row_errors.order_by("row")]
    assert columns[:2] == ["stakeholder", "forum"]
    again = run_file(source, data)
    assert (again.rows_written, again.rows_unchanged) == (0, 2)
    changed = run_file(source, data.replace(b"Recast", b"Recast agreed"))
    assert (changed.rows_written, changed.rows_unchanged) == (1, 1)
    assert Touchpoint.objects.get(stakeholder=grace).notes == "Recast agreed"


def test_a_failing_source_raises_its_alert(org, kpi):
    source = source_for(org, "kpi_values", kpi=kpi)
    for _ in range(3):
        run_file(source, b"nope\n1\n")
    alerts.refresh_alerts(org, NOW.date())
    alert = Alert.objects.get(org=org, kind=AlertKind.IMPORT_FAILING)
    assert alert.subject == f"source:{source.pk}"
    assert alert.url == reverse("measurement:source_detail", args=[source.pk])


def test_requests_go_through_the_team_form_once(org):
    source = source_for(org, "requests")
    data = (
        b"title,problem,requester_email\nExcel basics,Reports take days,ann@example.com\n"
        b"No problem given,,bob@example.com\n"
    )
    first = run_file(source, data)
    assert (first.rows_written, first.rows_rejected) == (1, 1)
    assert run_file(source, data).rows_unchanged == 1
    assert TrainingRequest.objects.for_org(org).filter(title="Excel basics").count() == 1


def test_another_orgs_kpi_or_program_is_never_written(org, other_org, kpi):
    foreign_kpi = KpiFactory(org=other_org)
    source = source_for(org, "kpi_values", kpi=foreign_kpi)
    run = run_file(source, b"date,value\n2026-05-01,1\n")
    assert run.status == RunStatus.FAILED
    assert not KpiValue.objects.filter(kpi=foreign_kpi).exists()
    roadmap = RoadmapFactory(org=other_org)
    foreign_program = Program.objects.for_initiative(InitiativeFactory(roadmap=roadmap))
    source = source_for(org, "learner_activity", program=foreign_program)
    run = run_file(source, b"learner_key,event_type,occurred_at\nl1,launched,2026-05-01\n")
    assert run.status == RunStatus.FAILED
    assert not LearnerEvent.objects.filter(program=foreign_program).exists()


def test_a_missing_column_fails_the_run_with_its_name(org, kpi):
    run = run_file(source_for(org, "kpi_values", kpi=kpi), b"day,value\n2026-05-01,1\n")
    assert run.status == RunStatus.FAILED
    assert "date" in run.error


def test_row_cap_and_size_cap(org, kpi, settings):
    settings.IMPORT_MAX_ROWS = 2
    run = run_file(source_for(org, "kpi_values", kpi=kpi), BAD)
    assert run.status == RunStatus.FAILED and "more than 2 rows" in run.error
    assert not KpiValue.objects.filter(kpi=kpi).exists()
    settings.IMPORT_MAX_ROWS = 100
    settings.IMPORT_MAX_BYTES = 10
    run = run_file(source_for(org, "kpi_values", kpi=kpi, name="again"), BAD)
    assert run.status == RunStatus.FAILED and "larger than" in run.error


# Claim, sweep, failures, schedule --------------------------------------------------------------


def test_a_second_worker_does_nothing(org, kpi):
    source = source_for(org, "kpi_values", kpi=kpi)
    run = sources.start_run(source=source, file=ContentFile(BAD, name="x.csv"))
    tasks.run_import.run(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.PARTIAL
    written = KpiValue.objects.count()
    assert not sources.claim(run.pk)
    tasks.run_import.run(run.pk)  # a redelivered message
    assert KpiValue.objects.count() == written
    assert ImportRowError.objects.filter(run=run).count() == 2


def test_stale_running_runs_are_failed_by_the_sweep(org, kpi):
    source = source_for(org, "kpi_values", kpi=kpi)
    old = sources.start_run(source=source, file=ContentFile(BAD, name="x.csv"))
    fresh = sources.start_run(source=source, file=ContentFile(BAD, name="y.csv"))
    ImportRun.objects.filter(pk=old.pk).update(
        status=RunStatus.RUNNING, started_at=NOW - sources.stale_after() - timedelta(seconds=1)
    )
    ImportRun.objects.filter(pk=fresh.pk).update(status=RunStatus.RUNNING, started_at=NOW)
    assert tasks.fail_stale_runs.run() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (RunStatus.FAILED, RunStatus.RUNNING)
    assert old.error == sources.WORKER_LOST
    source.refresh_from_db()
    assert source.consecutive_failures == 1


def test_three_failures_in_a_row_mark_the_source_failing(org, kpi):
    source = source_for(org, "kpi_values", kpi=kpi)
    for _ in range(2):
        run_file(source, b"nope\n1\n")
    source.refresh_from_db()
    assert not source.failing
    assert sources.failing_sources_findings(org, NOW.date()) == []
    run_file(source, b"nope\n1\n")
    source.refresh_from_db()
    assert source.failing
    [finding] = sources.failing_sources_findings(org, NOW.date())
    assert finding.subject == f"source:{source.pk}" and "No column" in finding.detail
    run_file(source, b"date,value\n2026-05-01,1\n")  # a success resets the count
    source.refresh_from_db()
    assert source.consecutive_failures == 0


def test_the_schedule_lives_in_django_celery_beat(org, kpi):
    source = source_for(
        org, "kpi_values", kpi=kpi, kind="url", url="https://example.com/a.csv", schedule="daily"
    )
    sources.sync_schedule(source)
    task = PeriodicTask.objects.get(name=f"metric-source-{source.pk}")
    assert task.task == "measurement.tasks.run_scheduled_source"
    assert task.args == f"[{source.pk}]"
    assert (task.crontab.hour, task.crontab.minute) == ("3", str(source.pk % 60))
    source.schedule, source.cron = "cron", "30 6 * * 1-5"
    sources.sync_schedule(source)
    task.refresh_from_db()
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == (
        "30",
        "6",
        "1-5",
    )
    source.schedule = ""
    sources.sync_schedule(source)
    assert not PeriodicTask.objects.filter(name=f"metric-source-{source.pk}").exists()


def test_a_scheduled_source_starts_a_run(org, kpi, django_capture_on_commit_callbacks):
    source = source_for(org, "kpi_values", kpi=kpi, kind="url", url="https://example.com/a.csv")
    with django_capture_on_commit_callbacks() as callbacks:
        run_id = tasks.run_scheduled_source.run(source.pk)
    assert ImportRun.objects.get(pk=run_id).status == RunStatus.PENDING
    assert len(callbacks) == 1


def test_credentials_are_stored_encrypted(org, kpi):
    token = sources.encrypt_secret("Bearer s3cret")
    assert "s3cret" not in token
    assert sources.decrypt_secret(token) == "Bearer s3cret"


def test_a_program_deleted_while_its_import_starts_fails_the_run_cleanly(org, program, monkeypatch):
    """The race `lock_program` closes (the program deleted between the run's start and its
    first write), injected: the run fails with the reason, and nothing is written."""

    def gone(_program):
        raise engagement.EngagementError("This program no longer exists.")

    monkeypatch.setattr(engagement, "lock_program", gone)
    rows = "learner_key,event_type,occurred_at\nl1,launched,2026-05-01T09:00:00Z\n"
    run = run_file(source_for(org, "learner_activity", program=program), rows.encode())
    assert run.status == RunStatus.FAILED
    assert "no longer exists" in run.error
    assert not LearnerEvent.objects.filter(program=program).exists()
