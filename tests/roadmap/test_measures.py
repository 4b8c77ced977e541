"""The roadmap's measurement figures: commitment changes without a justification, SME
engagement (headline, alert findings, drill-down page), and the SME's involvement date on
the Plan page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from measurement.models import KpiStatus
from roadmap import measures
from roadmap.models import Initiative, InitiativeStatus, SmeAssignment, Stage, StageKind
from tests.factories import InitiativeFactory, PersonFactory, RoadmapFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 30)  # January fiscal year: Q4 FY26 is 1 October to 31 December


# Commitment changes without a justification ------------------------------------------------


def save_at(initiative: Initiative, when: datetime, reason: str | None = None, **values):
    """A save that records history as any code path around `Initiative.change` would."""
    for field, value in values.items():
        setattr(initiative, field, value)
    initiative._history_date = when
    initiative._change_reason = reason
    initiative.save()


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def created_on(initiative: Initiative, day: date) -> Initiative:
    """Date the creation record too, so the history reads in order."""
    initiative.history.filter(history_type="+").update(history_date=at(day))
    return initiative


@pytest.fixture
def committed(initiative):
    created_on(initiative, date(2026, 1, 2))
    save_at(initiative, at(date(2026, 1, 5)), status=InitiativeStatus.COMMITTED)
    return initiative


def test_counts_unjustified_commitment_changes_in_the_quarter(org, committed, roadmap):
    save_at(committed, at(date(2026, 10, 2)), budget=Decimal(5000))  # counted
    save_at(committed, at(date(2026, 10, 3)), "Budget recast", budget=Decimal(6000))  # justified
    save_at(committed, at(date(2026, 10, 4)), title="Renamed")  # not a commitment field
    save_at(committed, at(date(2026, 9, 30)), days=40)  # last quarter
    save_at(committed, at(date(2026, 11, 5)), status=InitiativeStatus.PROPOSED)  # counted
    proposed = created_on(
        InitiativeFactory(roadmap=roadmap, title="Still proposed"), date(2026, 1, 2)
    )
    save_at(proposed, at(date(2026, 10, 6)), budget=Decimal(100))  # never committed

    changes = measures.unjustified_changes(org, date(2026, 10, 1), date(2026, 12, 31))

    assert [(c.initiative_id, c.when.date()) for c in changes] == [
        (committed.pk, date(2026, 10, 2)),
        (committed.pk, date(2026, 11, 5)),
    ]
    headline = measures.changes_headline(org, TODAY)
    assert headline.value == 2 and headline.display == "2"
    assert headline.status == KpiStatus.OFF_TRACK
    assert headline.url == reverse("roadmap:roadmap_changes", args=[roadmap.pk])
    # The save on 30 September falls in Q3.
    assert [(p.day, p.value) for p in headline.trend] == [
        (date(2026, 1, 1), 0.0),
        (date(2026, 4, 1), 0.0),
        (date(2026, 7, 1), 1.0),
        (date(2026, 10, 1), 2.0),
    ]


def test_quarter_boundaries_follow_the_organisations_clock(org, committed):
    org.time_zone = "Asia/Tokyo"
    org.save()
    tokyo = ZoneInfo("Asia/Tokyo")
    # 1 October 00:30 in Tokyo is still 30 September in UTC: this quarter for Tokyo.
    save_at(committed, datetime(2026, 10, 1, 0, 30, tzinfo=tokyo), budget=Decimal(1))
    # 31 December 23:30 in Tokyo: this quarter; 1 January 00:10: the next.
    save_at(committed, datetime(2026, 12, 31, 23, 30, tzinfo=tokyo), budget=Decimal(2))
    save_at(committed, datetime(2027, 1, 1, 0, 10, tzinfo=tokyo), budget=Decimal(3))
    changes = measures.unjustified_changes(org, date(2026, 10, 1), date(2026, 12, 31))
    assert len(changes) == 2


def test_another_organisations_changes_are_not_counted(org, other_org, committed):
    theirs = created_on(InitiativeFactory(roadmap=RoadmapFactory(org=other_org)), date(2026, 1, 2))
    save_at(theirs, at(date(2026, 1, 5)), status=InitiativeStatus.COMMITTED)
    save_at(theirs, at(date(2026, 10, 2)), budget=Decimal(1))
    assert measures.unjustified_changes(org, date(2026, 10, 1), date(2026, 12, 31)) == []


def test_change_with_a_justification_through_the_app_is_not_counted(
    org, committed, editor_membership
):
    with time_machine.travel(at(date(2026, 10, 9)), tick=False):
        committed.change(by=editor_membership.user, justification="Scope agreed", budget=Decimal(9))
    headline = measures.changes_headline(org, TODAY)
    assert headline.display == "0" and headline.status == KpiStatus.ON_TRACK


# SME engagement --------------------------------------------------------------------------


def build(initiative, start: date, *, kind=StageKind.CONTENT_CREATION):
    return Stage.objects.create(
        org=initiative.org,
        initiative=initiative,
        kind=kind,
        start=start,
        end=start + timedelta(days=20),
    )


def sme(initiative, involved_on: date | None, name: str | None = None):
    person = PersonFactory(org=initiative.org, name=name or f"SME of {initiative.title}")
    return SmeAssignment.objects.create(
        org=initiative.org, initiative=initiative, person=person, involved_on=involved_on
    )


@pytest.fixture
def sme_cases(org, roadmap, other_org):
    make = lambda title, **kw: InitiativeFactory(roadmap=roadmap, title=title, **kw)  # noqa: E731
    on_the_day = make("On the day")
    build(on_the_day, date(2026, 5, 1))
    build(on_the_day, date(2026, 6, 1))  # a second build stage: the first one counts
    sme(on_the_day, date(2026, 5, 1))
    late = make("Came late")
    build(late, date(2026, 5, 1))
    sme(late, date(2026, 5, 2))
    sme(late, None, name="Never involved")
    nobody = make("Nobody assigned")
    build(nobody, date(2026, 9, 1))
    undated = make("No date")
    build(undated, date(2026, 8, 1))
    sme(undated, None)
    early = make("Well before")
    build(early, TODAY)  # begins today: counted
    sme(early, date(2026, 3, 1))
    future = make("Not begun")
    build(future, TODAY + timedelta(days=1))
    no_build = make("Reuse only")
    build(no_build, date(2026, 5, 1), kind=StageKind.DELIVERY)
    stopped = make("Stopped", status=InitiativeStatus.STOPPED)
    build(stopped, date(2026, 5, 1))
    theirs = InitiativeFactory(roadmap=RoadmapFactory(org=other_org), title="Theirs")
    build(theirs, date(2026, 5, 1))
    return {"late": late, "nobody": nobody, "undated": undated}


def test_sme_engagement_share_and_rows(org, sme_cases):
    rows = measures.sme_engagement_rows(org, TODAY)
    # Begun by today, not stopped, this organisation's: five; early: "On the day" and
    # "Well before". 2 ÷ 5 = 40 %.
    assert [r.initiative.title for r in rows] == [
        "Came late",
        "On the day",
        "No date",
        "Nobody assigned",
        "Well before",
    ]
    assert {r.initiative.title for r in rows if r.early} == {"On the day", "Well before"}
    headline = measures.sme_headline(org, TODAY)
    assert headline.value == Decimal(2) / Decimal(5)
    assert headline.display == "40%"
    assert headline.status == KpiStatus.OFF_TRACK
    assert headline.note == "2 of 5 initiatives whose content creation has begun"
    assert headline.url == reverse("roadmap:sme_engagement")
    # By the end of each quarter: Q2 (1 of 2), Q3 (1 of 4), Q4 (2 of 5).
    assert [(p.day, p.value) for p in headline.trend] == [
        (date(2026, 4, 1), 0.5),
        (date(2026, 7, 1), 0.25),
        (date(2026, 10, 1), 0.4),
    ]


def test_no_build_begun_is_not_computable(org, roadmap):
    future = InitiativeFactory(roadmap=roadmap)
    build(future, TODAY + timedelta(days=3))
    headline = measures.sme_headline(org, TODAY)
    assert headline.value is None and headline.status is None
    assert headline.display == "not computable"


@pytest.mark.parametrize(
    ("share", "status"),
    [
        (Decimal(1), KpiStatus.ON_TRACK),
        (Decimal("0.75"), KpiStatus.AT_RISK),
        (Decimal("0.74"), KpiStatus.OFF_TRACK),
        (None, None),
    ],
)
def test_sme_status_thresholds(share, status):
    assert measures.sme_status(share) == status


def test_sme_findings_say_why(org, sme_cases):
    findings = {f.subject: f for f in measures.sme_late_findings(org, TODAY)}
    late, nobody, undated = sme_cases["late"], sme_cases["nobody"], sme_cases["undated"]
    assert set(findings) == {f"initiative:{i.pk}" for i in (late, nobody, undated)}
    assert findings[f"initiative:{late.pk}"].detail == (
        "Content creation began on 01 May 2026; its SME was first involved on 02 May 2026, "
        "1 day later."
    )
    assert findings[f"initiative:{late.pk}"].state == "late"
    assert "no SME is assigned" in findings[f"initiative:{nobody.pk}"].detail
    assert findings[f"initiative:{nobody.pk}"].state == "not involved"
    assert "no SME has a date" in findings[f"initiative:{undated.pk}"].detail
    assert findings[f"initiative:{late.pk}"].url == (
        reverse("roadmap:initiative_plan", args=[late.pk]) + "#smes"
    )


# The drill-down page -------------------------------------------------------------------------

PAGE = reverse("roadmap:sme_engagement")


@time_machine.travel(date(2026, 11, 30), tick=False)
def test_page_lists_the_late_ones_for_members(client_for, sme_cases):
    for role in ("editor", "viewer"):
        page = client_for(role).get(PAGE).content.decode()
        assert "Not involved before the build (3)" in page
        assert "Came late" in page and "Nobody assigned" in page
        assert "Involved in time (2)" in page
    outsider = client_for("outsider").get(PAGE).content.decode()
    assert "Came late" not in outsider


@time_machine.travel(date(2026, 11, 30), tick=False)
def test_page_query_count_does_not_grow(editor_client, org, roadmap, django_assert_num_queries):
    def add(n, offset):
        for i in range(n):
            initiative = InitiativeFactory(roadmap=roadmap, title=f"I {offset + i}")
            build(initiative, date(2026, 9, 1))
            sme(initiative, date(2026, 9, 1) + timedelta(days=i % 2))

    add(2, 0)
    editor_client.get(PAGE)
    # Session, membership and scope (4); the rows (1); the template's links (2).
    with django_assert_num_queries(6) as small:
        editor_client.get(PAGE)
    small_count = len(small.captured_queries)
    add(20, 100)
    with django_assert_num_queries(small_count):
        editor_client.get(PAGE)


# The SME's involvement date on the Plan page ------------------------------------------------


def test_assigning_an_sme_with_the_day_they_were_involved(editor_client, initiative, org):
    person = PersonFactory(org=org, name="Fatima Zahra")
    response = editor_client.post(
        reverse("roadmap:sme_add", args=[initiative.pk]),
        {"person": person.pk, "involved_on": "2026-04-20"},
    )
    assert response.status_code == 302
    assert SmeAssignment.objects.get().involved_on == date(2026, 4, 20)


def test_setting_the_involvement_date_by_role(client_for, initiative, org):
    assignment = sme(initiative, None, name="Fatima Zahra")
    url = reverse("roadmap:sme_involved", args=[assignment.pk])
    assert client_for("outsider").post(url, {"involved_on": "2026-04-20"}).status_code == 404
    assert client_for("viewer").post(url, {"involved_on": "2026-04-20"}).status_code == 403
    assignment.refresh_from_db()
    assert assignment.involved_on is None
    editor = client_for("editor")
    versions = (initiative.roadmap.version, org.version)
    assert editor.post(url, {"involved_on": "2026-04-20"}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.involved_on == date(2026, 4, 20)
    # The plan's cached pages and the dashboard both show it: both versions move.
    initiative.roadmap.refresh_from_db()
    org.refresh_from_db()
    assert (initiative.roadmap.version, org.version) == (versions[0] + 1, versions[1] + 1)
    page = editor.get(reverse("roadmap:initiative_plan", args=[initiative.pk])).content.decode()
    assert 'value="2026-04-20"' in page and "First involved on" in page


def test_a_bad_involvement_date_rerenders_with_a_message(editor_client, initiative, org):
    assignment = sme(initiative, date(2026, 4, 20), name="Fatima Zahra")
    url = reverse("roadmap:sme_involved", args=[assignment.pk])
    response = editor_client.post(url, {"involved_on": "20 April, probably"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.involved_on == date(2026, 4, 20)


def test_viewer_reads_the_involvement_date(viewer_client, initiative, org):
    sme(initiative, date(2026, 4, 20), name="Fatima Zahra")
    page = viewer_client.get(reverse("roadmap:initiative_plan", args=[initiative.pk]))
    assert "first involved 20 Apr 2026" in page.content.decode()
