"""Downloads of the roadmap's lists (requests, initiatives, commitments, not doing, stages)
as CSV and XLSX: by role, with the list's filters, read back, and a query count that does
not grow with the rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from roadmap.models import NotDoing
from tests.conftest import HTMX
from tests.downloads import body, read_csv, read_xlsx
from tests.factories import (
    InitiativeFactory,
    PersonFactory,
    PriorityFactory,
    StageFactory,
    TrainingRequestFactory,
)

pytestmark = pytest.mark.django_db

DECIDED = datetime(2027, 2, 10, 9, tzinfo=UTC)  # in the first cycle of FY2027


def fill(roadmap, n: int) -> None:
    """n of each: requests (half from Sales), initiatives (half committed) with a stage each,
    declined requests and dropped options."""
    org = roadmap.org
    owner = PersonFactory(org=org, name="Priya Raman", is_ld_team=True)
    first = roadmap.cycles.first()
    for i in range(n):
        TrainingRequestFactory(
            org=org, title=f"Ask {i}", requester_department="Sales" if i % 2 else "Support"
        )
        initiative = InitiativeFactory(
            roadmap=roadmap,
            title=f"Work {i}",
            owner=owner,
            status="committed" if i % 2 else "proposed",
            budget=Decimal("1500.50"),
            delivery_media=["elearning", "workshop"],
        )
        StageFactory(initiative=initiative, assignee=owner, start=date(2027, 3, 1 + i % 20))
        TrainingRequestFactory(
            org=org,
            title=f"Declined {i}",
            state="declined",
            decision_reason="Not a training problem.",
            decided_at=DECIDED,
        )
        NotDoing.objects.create(
            org=org, roadmap=roadmap, cycle=first, title=f"Dropped {i}", reason="No budget."
        )


def urls(roadmap) -> dict[str, str]:
    return {
        "requests": reverse("roadmap:request_download"),
        "initiatives": reverse("roadmap:initiative_download", args=[roadmap.pk]),
        "commitments": reverse("roadmap:commitment_download", args=[roadmap.pk]),
        "not-doing": reverse("roadmap:not_doing_download", args=[roadmap.pk]),
        "stages": reverse("roadmap:stage_download", args=[roadmap.pk]),
    }


LISTS = ["requests", "initiatives", "commitments", "not-doing", "stages"]
# Rows for fill(n): every request (n asks + n declined), n initiatives, half of them
# committed, n declined + n dropped, n stages.
ROWS_PER_N = {"requests": 2, "initiatives": 1, "commitments": 0.5, "not-doing": 2, "stages": 1}


@pytest.mark.parametrize("role", ["editor", "viewer"])
@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_members_and_viewers_download_every_list(client_for, roadmap, role, name, fmt):
    fill(roadmap, 4)
    response = client_for(role).get(urls(roadmap)[name], {"format": fmt})

    assert response.status_code == 200
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    assert len(rows) == 1 + 4 * ROWS_PER_N[name]
    assert f'filename="{roadmap.org.slug}-{name}-' in response["Content-Disposition"]


@pytest.mark.parametrize("name", LISTS)
def test_outsiders_get_404(outsider_client, roadmap, name):
    fill(roadmap, 1)
    response = outsider_client.get(urls(roadmap)[name])

    # The request list is the outsider's own organisation's: empty, never Northwind's.
    if name == "requests":
        assert len(read_csv(response)) == 1
    else:
        assert response.status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, roadmap):
    for url in urls(roadmap).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_downloads_only_read(editor_client, roadmap):
    for url in urls(roadmap).values():
        assert editor_client.post(url).status_code == 405


def test_the_request_list_links_its_downloads_with_its_filters(viewer_client, roadmap):
    fill(roadmap, 2)
    query = {"department": "Sales", "state": "new"}
    page = viewer_client.get(reverse("roadmap:request_list"), query)
    fragment = viewer_client.get(reverse("roadmap:request_list"), query, **HTMX)

    base = reverse("roadmap:request_download")
    for html in (page.text, fragment.text):  # htmx swaps the table and its links together
        assert f'href="{base}?format=csv&amp;department=Sales&amp;state=new"' in html
        assert f'href="{base}?format=xlsx&amp;department=Sales&amp;state=new"' in html


def test_the_timeline_links_the_initiatives_with_its_filters(editor_client, org, roadmap):
    fill(roadmap, 1)
    owner = PersonFactory(org=org, is_ld_team=True)
    page = editor_client.get(
        reverse("roadmap:roadmap_timeline", args=[roadmap.pk]),
        {"owner": owner.pk, "status": "committed", "colour": "owner"},
    )

    base = urls(roadmap)["initiatives"]
    assert f'href="{base}?format=csv&amp;owner={owner.pk}&amp;status=committed"' in page.text


@pytest.mark.parametrize(
    ("page", "names"),
    [
        ("roadmap_detail", ["initiatives"]),
        ("roadmap_align", ["commitments", "not-doing"]),
        ("roadmap_plan", ["stages"]),
    ],
)
def test_roadmap_pages_link_their_downloads(viewer_client, roadmap, page, names):
    html = viewer_client.get(reverse(f"roadmap:{page}", args=[roadmap.pk])).text
    for name in names:
        for fmt in ("csv", "xlsx"):
            assert f'href="{urls(roadmap)[name]}?format={fmt}"' in html


def test_requests_download_keeps_the_lists_filters_and_sort(editor_client, org, roadmap):
    fill(roadmap, 6)
    priority = PriorityFactory(strategy__org=org)
    TrainingRequestFactory(
        org=org,
        title="Sales ask with a priority",
        priority=priority,
        requester_department="Sales",
        needed_by=date(2027, 1, 5),
    )

    response = editor_client.get(
        reverse("roadmap:request_download"),
        {"format": "csv", "department": "Sales", "state": "new", "sort": "needed_by"},
    )
    header, *rows = read_csv(response)
    page = editor_client.get(
        reverse("roadmap:request_list"),
        {"department": "Sales", "state": "new", "sort": "needed_by"},
    )

    titles = [row[header.index("Request")] for row in rows]
    assert titles[0] == "Sales ask with a priority"  # needed soonest first
    assert sorted(titles) == sorted(["Sales ask with a priority", "Ask 1", "Ask 3", "Ask 5"])
    assert {row[header.index("Department")] for row in rows} == {"Sales"}
    assert rows[0][header.index("Priority it serves")] == priority.capability
    assert rows[0][header.index("Needed by")] == "2027-01-05"
    for title in titles:
        assert title in page.text


def test_requests_download_scores_as_the_page_does(editor_client, org, roadmap):
    fill(roadmap, 2)
    header, *rows = read_xlsx(
        editor_client.get(reverse("roadmap:request_download"), {"format": "xlsx"})
    )
    scores = [row[header.index("Score")] for row in rows]

    assert all(isinstance(score, int | float) for score in scores)
    assert scores == sorted(scores, reverse=True)  # the page's default: score, highest first


def test_tampered_filters_are_refused_not_ignored(editor_client, roadmap):
    fill(roadmap, 1)
    for url, query in [
        (reverse("roadmap:request_download"), {"state": "nonsense"}),
        (reverse("roadmap:request_download"), {"priority": "999999"}),
        (urls(roadmap)["initiatives"], {"status": "nonsense"}),
        (urls(roadmap)["initiatives"], {"owner": "abc"}),
        (urls(roadmap)["stages"], {"format": "pdf"}),
    ]:
        assert editor_client.get(url, query).status_code == 400, (url, query)


def test_initiatives_download_takes_the_timelines_filters(editor_client, org, roadmap):
    fill(roadmap, 4)
    other = PersonFactory(org=org, name="Sam Lee", is_ld_team=True)
    InitiativeFactory(roadmap=roadmap, title="Sam's", owner=other, status="committed")

    header, *rows = read_csv(editor_client.get(urls(roadmap)["initiatives"], {"owner": other.pk}))
    _, *committed = read_csv(
        editor_client.get(urls(roadmap)["initiatives"], {"status": "committed"})
    )

    assert [row[header.index("Initiative")] for row in rows] == ["Sam's"]
    assert len(committed) == 3
    assert rows[0][header.index("Owner")] == "Sam Lee"


def test_initiatives_xlsx_has_numbers_and_labels(editor_client, roadmap):
    fill(roadmap, 1)
    header, row = read_xlsx(editor_client.get(urls(roadmap)["initiatives"], {"format": "xlsx"}))

    assert row[header.index("Budget")] == 1500.5
    assert row[header.index("Status")] == "Proposed"
    assert row[header.index("Cycle")] == roadmap.cycles.first().name
    assert row[header.index("Delivery media")].count(",") == 1


def test_not_doing_lists_declined_requests_and_dropped_options(editor_client, roadmap):
    fill(roadmap, 1)
    TrainingRequestFactory(
        org=roadmap.org,
        title="Decided last year",
        state="declined",
        decision_reason="Old.",
        decided_at=datetime(2025, 5, 1, tzinfo=UTC),
    )
    header, *rows = read_csv(editor_client.get(urls(roadmap)["not-doing"]))

    by_title = {row[header.index("What we are not doing")]: row for row in rows}
    assert set(by_title) == {"Declined 0", "Dropped 0"}  # not a request of another year
    assert by_title["Declined 0"][header.index("Why")] == "Request declined"
    assert by_title["Dropped 0"][header.index("Reason")] == "No budget."


def test_stages_xlsx_has_dates_as_dates(editor_client, roadmap):
    fill(roadmap, 2)
    header, *rows = read_xlsx(editor_client.get(urls(roadmap)["stages"], {"format": "xlsx"}))

    # A spreadsheet's dates have no time zone: openpyxl reads them back naive.
    naive = [datetime(2027, 3, day) for day in (1, 2)]  # noqa: DTZ001
    assert [row[header.index("Start")] for row in rows] == naive
    assert rows[0][header.index("Effort (person-days)")] == 5
    assert rows[0][header.index("Assignee")] == "Priya Raman"


def test_formula_in_a_title_is_escaped(editor_client, roadmap):
    InitiativeFactory(roadmap=roadmap, title="=cmd|' /C calc'!A0", budget=Decimal("-200"))

    header, row = read_csv(editor_client.get(urls(roadmap)["initiatives"]))
    xlsx_header, xlsx_row = read_xlsx(
        editor_client.get(urls(roadmap)["initiatives"], {"format": "xlsx"})
    )

    assert row[header.index("Initiative")] == "'=cmd|' /C calc'!A0"
    assert xlsx_row[xlsx_header.index("Initiative")] == "'=cmd|' /C calc'!A0"
    assert xlsx_row[xlsx_header.index("Budget")] == -200


# Query counts: a fixed number however many rows ------------------------------------------

QUERIES = {"requests": 9, "initiatives": 8, "commitments": 7, "not-doing": 10, "stages": 7}


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("size", [2, 12])
def test_query_count_does_not_grow_with_rows(
    editor_client, roadmap, name, size, django_assert_num_queries
):
    fill(roadmap, size)
    url = urls(roadmap)[name]
    with django_assert_num_queries(QUERIES[name]):
        response = editor_client.get(url)
        data = body(response)  # a streamed body reads the rows as it is sent
    assert isinstance(response, StreamingHttpResponse)
    assert data.count(b"\r\n") == 1 + size * ROWS_PER_N[name]
