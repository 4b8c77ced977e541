"""The roadmap PDF: what a leader reads in it, read back from real renders (pypdf), its
tagged structure, its scope and paper options, the no-browser fallback, a big roadmap."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from measurement.models import Direction
from roadmap.models import (
    ExportOptions,
    Initiative,
    InitiativeStatus,
    NotDoing,
    Paper,
    TrainingRequestState,
    WarningAcknowledgement,
)
from roadmap.roadmap_pdf import (
    TIMELINE_ROWS_PER_CHART,
    _chunks,
    render_roadmap_pdf,
    roadmap_document,
)
from roadmap.timeline import TimelineRow
from roadmap_site.pdf import ChartRenderer
from strategy.models import Question
from tests import pdfs
from tests.factories import (
    InitiativeFactory,
    KpiFactory,
    KpiValueFactory,
    PersonFactory,
    PriorityFactory,
    StageFactory,
    StartedStrategyFactory,
    TrainingRequestFactory,
)

pytestmark = pytest.mark.django_db

# Cycles, priorities and their KPIs, strategy and vision, initiatives, the ledger's requests
# and dropped options, the plan (capacity) and the timeline's loads, KPI values, team notes.
QUERIES_TO_READ_A_ROADMAP = 30

needs_browser = pytest.mark.skipif(
    not Path("/usr/bin/chromium").is_file(), reason="no Chromium at /usr/bin/chromium"
)


@pytest.fixture
def no_browser(settings):
    settings.PDF_BROWSER_PATH = "/nonexistent/chromium"


@pytest.fixture
def leader_roadmap(roadmap, org, editor_membership):
    """The article's example, small: a vision, two priorities with KPIs, commitments in two
    cycles with owner, accountable and tradeoffs, what we are not doing, a team note."""
    strategy = StartedStrategyFactory(org=org, fiscal_year=roadmap.fiscal_year)
    strategy.answers.filter(question=Question.VISION).update(
        text="Every new hire productive in 60 days and glad they joined."
    )
    kpi = KpiFactory(
        org=org,
        name="Time to full productivity",
        unit="days",
        direction=Direction.LOWER,
        baseline=Decimal(85),
        baseline_date=date(2027, 1, 1),
        target=Decimal(60),
        target_date=date(2027, 12, 31),
    )
    for day, value in [(date(2027, 3, 1), 84), (date(2027, 6, 1), 78), (date(2027, 9, 1), 71)]:
        KpiValueFactory(kpi=kpi, date=day, value=Decimal(value))
    owner = PersonFactory(org=org, name="David Chen")
    fast = PriorityFactory(
        strategy=strategy, capability="Get every new hire productive in 60 days", kpi=kpi,
        business_owner=owner,
    )  # fmt: skip
    retain = PriorityFactory(strategy=strategy, capability="Keep new hires past year one")
    q1, q2, *_ = roadmap.cycles.all()
    priya = PersonFactory(org=org, name="Priya Raman")
    elena = PersonFactory(org=org, name="Elena Rossi")
    toolkit = InitiativeFactory(
        roadmap=roadmap, cycle=q1, title="Manager onboarding toolkit", owner=priya,
        accountable=elena, status=InitiativeStatus.COMMITTED, priority=fast,
        budget=Decimal(12000), days=40,
        tradeoffs="Built on the existing manager handbook rather than a new programme.",
    )  # fmt: skip
    buddy = InitiativeFactory(
        roadmap=roadmap, cycle=q2, title="Onboarding buddy programme", owner=priya,
        accountable=owner, status=InitiativeStatus.COMMITTED, priority=retain, budget=5000,
    )  # fmt: skip
    StageFactory(initiative=toolkit, start=date(2027, 2, 8), end=date(2027, 3, 19))
    NotDoing.objects.create(
        org=org, roadmap=roadmap, cycle=q1, title="Build a custom onboarding portal",
        reason="The LMS journey covers most of the need.",
    )  # fmt: skip
    declined = TrainingRequestFactory(org=org, title="Time-management course", priority=fast)
    TrainingRequestFactory._meta.model.objects.filter(pk=declined.pk).update(
        state=TrainingRequestState.DECLINED,
        decision_reason="Agents lose two hours a day to the ticketing tool's slow search.",
        decided_at=timezone.make_aware(timezone.datetime(2027, 3, 2, 10)),
    )
    WarningAcknowledgement.objects.create(
        org=org,
        roadmap=roadmap,
        key="over:1:1",
        note="Priya's overload is covered by a contractor.",
    )
    return {"roadmap": roadmap, "fast": fast, "retain": retain, "q1": q1, "q2": q2,
            "toolkit": toolkit, "buddy": buddy}  # fmt: skip


@needs_browser
def test_the_pdf_holds_what_a_leader_reads_tagged_with_charts_and_their_alt_text(
    leader_roadmap,
):
    roadmap = leader_roadmap["roadmap"]
    seen: list[int] = []
    content = render_roadmap_pdf(roadmap, ExportOptions(), progress=seen.append)

    text = pdfs.text(content)
    for expected in [
        "Global onboarding roadmap",
        "Contents",
        "Every new hire productive in 60 days and glad they joined.",
        "Get every new hire productive in 60 days",
        "Time to full productivity",
        "85 60 by Dec 2027 71 1 Sep 2027",  # baseline, target, latest
        "Manager onboarding toolkit",
        "Priya Raman Elena Rossi",  # owner, accountable
        "Built on the existing manager handbook rather than a new programme.",
        "Build a custom onboarding portal Dropped The LMS journey covers most of the need.",
        "Time-management course Declined",
        "Capacity and budget",
        "KPI trends",
    ]:
        assert expected in text, expected
    assert "covered by a contractor" not in text  # internal notes are left out by default
    assert "Chart shown as a table" not in text

    reader = pdfs.reader(content)
    assert reader.metadata.title == "Global onboarding roadmap"
    assert pdfs.catalog(content)["/Lang"] == "en"
    assert "Page 2 of" in text
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert {"Vision and priorities", "Commitments per cycle", "Timeline"} <= set(outline)

    tags = pdfs.structure(content)
    roles = [tag.role for tag in tags]
    assert roles.count("H1") >= 8 and "H2" in roles and "TH" in roles
    figures = [tag.alt for tag in tags if tag.role == "Figure"]
    # Initiatives per cycle, the timeline and one KPI trend, each described from its data.
    assert len(figures) == 3
    assert figures[0] == (
        "Initiatives per cycle; Committed: Q1 FY27 1, Q2 FY27 1, Q3 FY27 0, Q4 FY27 0."
    )
    assert figures[1] == (
        "Timeline: 3 bars from 2027-02-08 to 2027-06-30 (2 committed, 1 not started)."
    )
    assert figures[2] == (
        "Time to full productivity over time: date 2027-01-01 to 2027-12-31; "
        "Overall from 84 (2027-03-01) to 71 (2027-09-01); Baseline from 85 (2027-01-01) to 85 "
        "(2027-12-31); Target from 60 (2027-01-01) to 60 (2027-12-31)."
    )
    assert seen == sorted(seen) and seen[0] == 10 and 90 <= seen[-1] <= 95
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=0.5)  # A4


def test_without_a_browser_the_charts_are_tables_and_letter_is_letter(leader_roadmap, no_browser):
    roadmap = leader_roadmap["roadmap"]
    content = render_roadmap_pdf(roadmap, ExportOptions(paper=Paper.LETTER))

    text = pdfs.text(content)
    assert text.count("Chart shown as a table: no browser is installed to draw it.") == 3
    assert "Manager onboarding toolkit 2027-02-08 2027-03-19 Committed" in text
    assert "Figure" not in pdfs.roles(content)
    box = pdfs.reader(content).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_internal_notes_only_when_asked(leader_roadmap, no_browser):
    with_notes = roadmap_document(leader_roadmap["roadmap"], ExportOptions(include_notes=True))
    without = roadmap_document(leader_roadmap["roadmap"], ExportOptions())

    def html(document) -> str:
        with ChartRenderer() as charts:
            return document.html({f.key: charts.svg(f.figure, alt=f.alt) for f in document.figures})

    assert "covered by a contractor" in html(with_notes)
    assert "Internal notes" in html(with_notes)
    assert "covered by a contractor" not in html(without)
    assert "Internal notes" not in html(without)


def test_a_cycle_scope_holds_only_those_cycles(leader_roadmap, no_browser):
    q2 = leader_roadmap["q2"]
    content = render_roadmap_pdf(leader_roadmap["roadmap"], ExportOptions(cycles=(q2.pk,)))

    text = pdfs.text(content)
    assert "Cycles: Q2 FY27" in text
    assert "Onboarding buddy programme" in text
    assert "Manager onboarding toolkit" not in text
    assert "Build a custom onboarding portal" not in text  # dropped in Q1


def test_a_priority_scope_holds_the_initiatives_serving_it(leader_roadmap):
    retain = leader_roadmap["retain"]
    document = roadmap_document(leader_roadmap["roadmap"], ExportOptions(priorities=(retain.pk,)))

    titles = [i.title for entry in document.context["ledger"] for i in entry["committed"]]
    assert titles == ["Onboarding buddy programme"]
    assert [p.capability for p in document.context["priorities"]] == [retain.capability]
    assert document.context["scope"] == "Initiatives serving: Keep new hires past year one"
    # The declined request served the other priority.
    assert all(not entry["not_doing"] for entry in document.context["ledger"])


def test_ids_that_are_not_this_roadmaps_are_ignored_when_rendering(leader_roadmap, other_org):
    from tests.factories import RoadmapFactory

    foreign = RoadmapFactory(org=other_org).cycles.first()
    document = roadmap_document(leader_roadmap["roadmap"], ExportOptions(cycles=(foreign.pk,)))
    assert document.context["ledger"] == []
    assert document.context["totals"]["initiatives"] == 0


def test_timeline_runs_keep_an_initiative_with_its_stages():
    def rows(initiative_id: int, stages: int) -> list[TimelineRow]:
        day = date(2027, 1, 1)
        head = TimelineRow("initiative", initiative_id, f"I{initiative_id}", day, day, "committed")
        return [head] + [
            TimelineRow("stage", initiative_id * 100 + n, "Stage", day, day, "not_started")
            for n in range(stages)
        ]

    chunks = _chunks(rows(1, 20) + rows(2, 10) + rows(3, 3))
    assert [len(chunk) for chunk in chunks] == [21, 15]
    assert all(len(chunk) <= TIMELINE_ROWS_PER_CHART for chunk in _chunks(rows(9, 70)))


def test_a_big_roadmap_has_a_sane_page_count_and_every_initiative(roadmap, org, no_browser):
    """240 initiatives over four cycles: about 14 commitments a page, a timeline part a page
    (initiatives only at this size), and nothing left out."""
    cycles = list(roadmap.cycles.all())
    people = [PersonFactory(org=org, name=f"Owner {n}") for n in range(6)]
    Initiative.objects.bulk_create(
        Initiative(
            org=org, roadmap=roadmap, cycle=cycles[n % 4], title=f"Initiative number {n:03d}",
            problem="New hires take too long to become productive in their first months.",
            status=InitiativeStatus.COMMITTED, owner=people[n % 6], accountable=people[-1],
            budget=Decimal(1000 + n), days=10, tradeoffs=f"We delay programme {n}.",
        )
        for n in range(240)
    )  # fmt: skip

    content = render_roadmap_pdf(roadmap, ExportOptions())

    pages = len(pdfs.reader(content).pages)
    assert 30 <= pages <= 60, pages
    text = pdfs.text(content)
    assert all(f"Initiative number {n:03d}" in text for n in range(240))
    assert "Timeline, part 9 of 9" in text  # 240 rows, 28 a part


@pytest.mark.parametrize("size", [2, 40])
def test_reading_the_roadmap_takes_a_fixed_number_of_queries(
    leader_roadmap, org, size, django_assert_num_queries
):
    """Whatever the number of initiatives, stages and values (the plan's loads included)."""
    roadmap = leader_roadmap["roadmap"]
    cycles = list(roadmap.cycles.all())
    for n in range(size):
        initiative = InitiativeFactory(
            roadmap=roadmap, cycle=cycles[n % 4], status=InitiativeStatus.COMMITTED,
            owner=PersonFactory(org=org), accountable=PersonFactory(org=org),
        )  # fmt: skip
        StageFactory(initiative=initiative)
        KpiValueFactory(kpi=leader_roadmap["fast"].kpi, date=date(2027, 1, 2) + timedelta(days=n))
    with django_assert_num_queries(QUERIES_TO_READ_A_ROADMAP):
        roadmap_document(roadmap, ExportOptions(include_notes=True))
