"""Downloads of measurement's lists (KPI values, survey responses, learner events) as CSV and
XLSX: by role, filtered, read back; the learner events stream in chunks with a fixed number
of queries and bounded memory however many there are."""

from __future__ import annotations

import dataclasses
import tracemalloc
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from measurement import tables
from measurement.alignment import record_touchpoint
from measurement.models import Forum, LearnerEvent, Program
from measurement.surveys import record_response
from roadmap_site import tabular
from tests.downloads import body, read_csv, read_xlsx
from tests.factories import InitiativeFactory, KpiFactory, KpiValueFactory, PersonFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 4, 1, 8, tzinfo=UTC)


@pytest.fixture
def program(initiative):
    return Program.objects.for_initiative(initiative)


def add_events(program, n: int, *, start: int = 0) -> None:
    LearnerEvent.objects.bulk_create(
        (
            LearnerEvent(
                org=program.org,
                program=program,
                learner_key=f"learner-{i:06d}",
                event_type="completed" if i % 3 == 0 else "launched",
                occurred_at=START + timedelta(minutes=i),
                statement_id=uuid.UUID(int=i) if i % 2 else None,
            )
            for i in range(start, start + n)
        ),
        batch_size=5000,
    )


def add_responses(program, n: int) -> None:
    for i in range(n):
        record_response(
            org=program.org,
            program=program,
            score=i % 11,
            responded_on=date(2026, 5, 1) + timedelta(days=i),
            comment=f"Comment {i}",
            respondent=f"r{i}",
        )


def add_values(org, n: int) -> None:
    for i in range(n):
        kpi = KpiFactory(org=org, name=f"KPI {i:03d}")
        KpiValueFactory(kpi=kpi, date=date(2026, 2, 1), value=Decimal("12.5"))
        KpiValueFactory(kpi=kpi, date=date(2026, 3, 1), value=Decimal("-3"), segment="EMEA")


def urls(program) -> dict[str, str]:
    return {
        "kpi-values": reverse("measurement:kpi_value_download"),
        "survey-responses": reverse("measurement:response_download"),
        "program-responses": reverse("measurement:program_response_download", args=[program.pk]),
        "learner-events": reverse("measurement:program_event_download", args=[program.pk]),
    }


def fill(program, n: int) -> None:
    add_events(program, n)
    add_responses(program, n)
    add_values(program.org, n)


LISTS = ["kpi-values", "survey-responses", "program-responses", "learner-events"]
ROWS_PER_N = {"kpi-values": 2, "survey-responses": 1, "program-responses": 1, "learner-events": 1}


@pytest.mark.parametrize("role", ["editor", "viewer"])
@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_members_and_viewers_download_every_list(client_for, program, role, name, fmt):
    fill(program, 3)
    response = client_for(role).get(urls(program)[name], {"format": fmt})

    assert response.status_code == 200
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    assert len(rows) == 1 + 3 * ROWS_PER_N[name]
    file_list = "survey-responses" if name == "program-responses" else name
    assert f'filename="{program.org.slug}-{file_list}-' in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["program-responses", "learner-events"])
def test_outsiders_get_404_for_a_program(outsider_client, program, name):
    fill(program, 1)

    assert outsider_client.get(urls(program)[name]).status_code == 404


@pytest.mark.parametrize("name", ["kpi-values", "survey-responses"])
def test_outsiders_download_their_own_empty_lists(outsider_client, program, name):
    fill(program, 2)

    assert len(read_csv(outsider_client.get(urls(program)[name]))) == 1


def test_an_outsiders_kpi_is_refused(editor_client, other_org, program):
    theirs = KpiFactory(org=other_org)

    response = editor_client.get(urls(program)["kpi-values"], {"kpi": theirs.pk})

    assert response.status_code == 400
    assert editor_client.get(urls(program)["kpi-values"], {"kpi": "x"}).status_code == 400


def test_kpi_values_one_row_per_value_typed(editor_client, org, program):
    add_values(org, 2)
    header, *rows = read_xlsx(editor_client.get(urls(program)["kpi-values"], {"format": "xlsx"}))

    assert [(row[0], row[header.index("Segment")]) for row in rows] == [
        ("KPI 000", None),
        ("KPI 000", "EMEA"),
        ("KPI 001", None),
        ("KPI 001", "EMEA"),
    ]
    values = [row[header.index("Value")] for row in rows]
    assert values == [12.5, -3, 12.5, -3]  # numbers, the negative one too
    assert rows[0][header.index("Date")] == datetime(2026, 2, 1)  # noqa: DTZ001 (a cell)
    assert rows[0][header.index("Target")] == 60


def test_kpi_values_of_one_kpi(editor_client, org, program):
    add_values(org, 3)
    one = org_kpi = KpiFactory(org=org, name="Time to productivity")
    KpiValueFactory(kpi=one, date=date(2026, 6, 1), value=Decimal(45))

    header, *rows = read_csv(editor_client.get(urls(program)["kpi-values"], {"kpi": org_kpi.pk}))

    assert rows == [
        [
            "Time to productivity",
            *rows[0][1:8],
            "2026-06-01",
            "",
            "45.0000",
            "",
        ]
    ]
    assert rows[0][header.index("Unit")] == "days"


def test_program_responses_are_that_programs_only(editor_client, roadmap, program):
    add_responses(program, 3)
    other = Program.objects.for_initiative(InitiativeFactory(roadmap=roadmap, title="Other"))
    record_response(org=other.org, program=other, score=2, responded_on=date(2026, 5, 1))

    _, *mine = read_csv(editor_client.get(urls(program)["program-responses"]))
    _, *every = read_csv(editor_client.get(urls(program)["survey-responses"]))

    assert {row[0] for row in mine} == {program.initiative.title}
    assert len(mine) == 3
    assert len(every) == 4
    assert mine[0][1] == "2026-05-03"  # newest first, as the impact page lists them


def test_a_comment_that_looks_like_a_formula_is_escaped(editor_client, program):
    record_response(
        org=program.org,
        program=program,
        score=0,
        responded_on=date(2026, 5, 1),
        comment="@SUM(1+1)*cmd|' /C calc'!A0",
    )

    _, row = read_csv(editor_client.get(urls(program)["program-responses"]))
    _, xlsx_row = read_xlsx(
        editor_client.get(urls(program)["program-responses"], {"format": "xlsx"})
    )

    assert row[3] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert xlsx_row[3] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert xlsx_row[2] == 0


def test_learner_events_oldest_first_with_times_on_the_org_clock(editor_client, org, program):
    org.time_zone = "Europe/Berlin"
    org.save()
    add_events(program, 3)

    header, *rows = read_csv(editor_client.get(urls(program)["learner-events"]))

    assert header == ["Learner", "Event", "Occurred at", "xAPI statement"]
    assert [row[0] for row in rows] == ["learner-000000", "learner-000001", "learner-000002"]
    assert rows[0][2] == "2026-04-01 10:00:00"  # 08:00 UTC is 10:00 in Berlin (summer)
    assert rows[1][3] == str(uuid.UUID(int=1))


# Query counts and streaming ---------------------------------------------------------------

QUERIES = {"kpi-values": 6, "survey-responses": 6, "program-responses": 7, "learner-events": 7}


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("size", [2, 15])
def test_query_count_does_not_grow_with_rows(
    editor_client, program, name, size, django_assert_num_queries
):
    fill(program, size)
    with django_assert_num_queries(QUERIES[name]):
        response = editor_client.get(urls(program)[name])
        data = body(response)  # the rows are read while the body streams
    assert isinstance(response, StreamingHttpResponse)
    assert data.count(b"\r\n") == 1 + size * ROWS_PER_N[name]


def stream(client, url) -> tuple[int, int, int, int]:
    """Read a download as a server sends it, one chunk at a time: (rows, chunks, size of
    the biggest chunk, peak memory allocated while reading)."""
    response = client.get(url)
    assert isinstance(response, StreamingHttpResponse)
    tracemalloc.start()
    try:
        rows, chunks, biggest = 0, 0, 0
        for chunk in response.streaming_content:
            rows += chunk.count(b"\r\n")
            chunks += 1
            biggest = max(biggest, len(chunk))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return rows, chunks, biggest, peak


def test_fifty_thousand_events_stream_in_chunks_in_bounded_memory(editor_client, program):
    url = urls(program)["learner-events"]
    add_events(program, 10_000)
    _, _, _, peak_at_10k = stream(editor_client, url)
    add_events(program, 40_000, start=10_000)

    rows, chunks, biggest, peak = stream(editor_client, url)

    assert rows == 50_001
    assert chunks >= 50_000 // tabular.ROWS_PER_CHUNK
    assert biggest < 60_000
    # Five times the rows, not five times the memory: one chunk of rows at a time.
    assert peak < 1.5 * peak_at_10k, f"peak {peak:,} B at 50k rows, {peak_at_10k:,} B at 10k"


def test_measurement_pages_link_their_downloads(viewer_client, org, program):
    fill(program, 1)
    kpi = KpiFactory(org=org)
    pages = {
        reverse("measurement:home"): f'href="{urls(program)["kpi-values"]}?format=csv"',
        reverse("measurement:kpi_detail", args=[kpi.pk]): (
            f'href="{urls(program)["kpi-values"]}?format=csv&amp;kpi={kpi.pk}"'
        ),
        reverse("measurement:impact"): f'href="{urls(program)["survey-responses"]}?format=csv"',
        reverse("measurement:program_impact", args=[program.pk]): (
            f'href="{urls(program)["program-responses"]}?format=csv"'
        ),
        reverse("measurement:program_detail", args=[program.pk]): (
            f'href="{urls(program)["learner-events"]}?format=csv"'
        ),
    }
    for page, link in pages.items():
        html = viewer_client.get(page).text
        assert link in html, page
        assert link.replace("format=csv", "format=xlsx") in html, page


def test_downloads_only_read(editor_client, program):
    for url in urls(program).values():
        assert editor_client.post(url).status_code == 405


def test_learner_events_xlsx_stops_at_its_cap_and_says_so(editor_client, program, monkeypatch):
    # Millions of events would take minutes to write as XLSX: the table caps it.
    assert tables.LEARNER_EVENTS.xlsx_max_rows == 100_000
    smaller = dataclasses.replace(tables.LEARNER_EVENTS, xlsx_max_rows=5)
    monkeypatch.setattr(tables, "LEARNER_EVENTS", smaller)
    add_events(program, 7)

    _, *rows = read_xlsx(editor_client.get(urls(program)["learner-events"], {"format": "xlsx"}))
    _, *every = read_csv(editor_client.get(urls(program)["learner-events"]))

    assert len(rows) == 6
    assert rows[-1][0] == "Only the first 5 rows: download the CSV for all of them."
    assert len(every) == 7


def test_touchpoints_download_every_quarter_formula_safe(client_for, org):
    grace = PersonFactory(org=org, name="Grace Kim", title="VP Support", is_senior=True)
    record_touchpoint(org=org, stakeholder=grace, day=date(2026, 2, 3), forum=Forum.BUDGET_CYCLE)
    record_touchpoint(
        org=org,
        stakeholder=grace,
        day=date(2026, 8, 4),
        forum=Forum.BUSINESS_REVIEW,
        notes="=cmd|' /C calc'!A0",
    )
    url = reverse("measurement:touchpoint_download")
    response = client_for("viewer").get(url)
    assert response.status_code == 200
    assert read_csv(response) == [
        ["Date", "Senior stakeholder", "Job title", "Forum", "Notes"],
        ["2026-08-04", "Grace Kim", "VP Support", "Business review", "'=cmd|' /C calc'!A0"],
        ["2026-02-03", "Grace Kim", "VP Support", "Budget cycle", ""],
    ]
    # Another organisation's member downloads their own (empty) list, never this one's.
    assert read_csv(client_for("outsider").get(url)) == [
        ["Date", "Senior stakeholder", "Job title", "Forum", "Notes"]
    ]
    assert client_for("viewer").get(url + "?format=pdf").status_code == 400
