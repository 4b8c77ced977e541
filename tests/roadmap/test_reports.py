"""The quarterly report's snapshot and PDF: what it says, and that a past quarter says the
same after the roadmap changed."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from pypdf import PdfReader

from measurement.models import Alert, AlertKind, Kpi
from roadmap import iterate, report_jobs, reports
from roadmap.models import InitiativeStatus, QuarterlyReport, ReportStatus
from roadmap.reports import Quarter, Section
from roadmap_site.pdf import ChartRenderer
from tests import pdfs
from tests.factories import InitiativeFactory, KpiFactory, KpiValueFactory, PersonFactory

pytestmark = pytest.mark.django_db

# The quarter after Q4 FY26 (January fiscal year) began on Thursday 1 January 2026... the
# fixture roadmap is FY27: its Q1 runs 1 January to 31 March 2027.
AFTER_Q1 = datetime(2027, 4, 1, 9, 0).astimezone()


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


@pytest.fixture
def quarter_roadmap(roadmap, person):
    """A roadmap with a delivered, an in-progress and a proposed initiative in Q1, one
    committed in Q2, a KPI with values and an open alert."""
    org = roadmap.org
    leader = PersonFactory(org=org, name="Grace Kim", title="COO", email="grace@northwind.test")
    q1, q2 = list(roadmap.cycles.order_by("position"))[:2]
    kpi = KpiFactory(org=org, name="Time to full productivity", owner=leader)
    KpiValueFactory(kpi=kpi, date=date(2027, 2, 1), value=Decimal(95))
    with time_machine.travel(datetime(2027, 1, 10, 9, 0).astimezone(), tick=False):
        onboarding = InitiativeFactory(
            roadmap=roadmap,
            cycle=q1,
            title="Manager onboarding toolkit",
            owner=person,
            accountable=leader,
            status=InitiativeStatus.COMMITTED,
            kpi=kpi,
        )
    with time_machine.travel(datetime(2027, 2, 15, 9, 0).astimezone(), tick=False):
        onboarding.change(by=None, status=InitiativeStatus.DELIVERED, justification="")
    InitiativeFactory(
        roadmap=roadmap, cycle=q1, title="Sales ramp academy", status=InitiativeStatus.IN_PROGRESS
    )
    InitiativeFactory(roadmap=roadmap, cycle=q1, title="Idea not taken up")
    InitiativeFactory(
        roadmap=roadmap, cycle=q2, title="Coaching circles", status=InitiativeStatus.COMMITTED
    )
    Alert.objects.create(
        org=org,
        kind=AlertKind.KPI_OFF_TRACK,
        subject=f"kpi:{kpi.pk}",
        title="Time to full productivity is off track",
        url="/",
        state="off_track",
    )
    return roadmap


def build(roadmap) -> QuarterlyReport:
    with time_machine.travel(AFTER_Q1, tick=False):
        quarter = reports.quarter_due(roadmap.org, roadmap.org.today())
        assert quarter is not None and quarter.label == "Q1 FY27"
        report = report_jobs.request_report(roadmap=roadmap, quarter=quarter, send=False)
        report_jobs.build_report(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    return report


def test_the_snapshot_holds_what_the_quarter_committed_delivered_and_changed(quarter_roadmap):
    report = build(quarter_roadmap)

    snapshot = report.snapshot
    assert (snapshot["quarter"], snapshot["start"], snapshot["end"]) == (
        "Q1 FY27",
        "2027-01-01",
        "2027-03-31",
    )
    assert snapshot["final"] is True and snapshot["next_quarter"] == "Q2 FY27"
    assert [s["name"] for s in snapshot["sections"]] == [
        "commitments",
        "changes",
        "review",
        "kpis",
        "nps_roi",
        "decisions",
        "next_quarter",
        "alerts",
    ]
    sections = reports.section_data(snapshot)
    commitments = sections["commitments"]
    assert [row["title"] for row in commitments["initiatives"]] == [
        "Manager onboarding toolkit",
        "Sales ramp academy",
    ]  # the proposed one was never committed
    assert (commitments["committed"], commitments["delivered"]) == (2, 1)
    assert commitments["initiatives"][0]["accountable"] == "Grace Kim"
    changed = [e for e in sections["changes"]["entries"] if e["kind"] == "changed"]
    assert [(c["label"], c["before"], c["after"]) for c in changed[0]["changes"]] == [
        ("Status", "Committed", "Delivered")
    ]
    families = [f["label"] for f in sections["kpis"]["families"]]
    assert families == [
        "Leadership alignment",
        "Learner engagement",
        "SME engagement",
        "Business impact",
    ]
    [kpi] = sections["kpis"]["kpis"]
    assert (kpi["name"], kpi["latest"]) == ("Time to full productivity", "95")
    assert [i["title"] for i in sections["next_quarter"]["initiatives"]] == ["Coaching circles"]
    # The KPI's, and the roadmap's own: no quarterly review was ever held.
    assert sorted(a["kind"] for a in sections["alerts"]["alerts"]) == [
        "KPI off track",
        "Roadmap not reviewed for a quarter",
    ]
    assert sections["nps_roi"] == {"programs": []}


def test_the_pdf_says_it_and_its_hash_is_stored(quarter_roadmap):
    report = build(quarter_roadmap)

    content = report.file.read()
    assert content.startswith(b"%PDF")
    assert report.sha256 == hashlib.sha256(content).hexdigest()
    text, pages = pdf_text(content)
    for expected in [
        "Global onboarding roadmap",
        "Q1 FY27",
        "1 of 2 commitments delivered",
        "Manager onboarding toolkit",
        "Committed and delivered",
        "What changed and why",
        "Leadership alignment",
        "Business impact",
        "Time to full productivity is off track",
        "Coaching circles",
    ]:
        assert expected in text, expected
    assert "Idea not taken up" not in text
    assert 1 <= pages <= 6
    # Archivable and tagged: PDF/A-3a in the XMP metadata, a structure tree for readers.
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="A"' in xmp
    assert reader.metadata.title.startswith("Q1 FY27 report: Global onboarding roadmap")


def test_a_big_roadmap_keeps_a_readable_page_count(roadmap):
    """120 commitments in the quarter and 100 changes: every commitment is listed, the
    change log is cut to the latest ones with the count, and the PDF stays a document."""
    q1 = roadmap.cycles.order_by("position").first()
    with time_machine.travel(datetime(2027, 1, 5, 9, 0).astimezone(), tick=False):
        initiatives = [
            InitiativeFactory(
                roadmap=roadmap, cycle=q1, title=f"Commitment {n:03}", status="committed"
            )
            for n in range(120)
        ]
    with time_machine.travel(datetime(2027, 2, 5, 9, 0).astimezone(), tick=False):
        for initiative in initiatives[:100]:
            initiative.change(by=None, status="delivered")
    report = build(roadmap)
    text, pages = pdf_text(report.file.read())
    assert "100 of 120 commitments delivered" in text
    assert "Commitment 000" in text and "Commitment 119" in text
    assert f"the latest {reports.MAX_CHANGES} are listed" in text
    assert 5 <= pages <= 20, pages


def test_a_past_quarter_regenerated_after_edits_reads_the_same(quarter_roadmap):
    report = build(quarter_roadmap)
    before, _ = pdf_text(report.file.read())
    first_snapshot, first_sha256 = report.snapshot, report.sha256

    # The roadmap moves on: renamed, a status taken back, a new initiative in Q1.
    toolkit = quarter_roadmap.initiatives.get(title="Manager onboarding toolkit")
    toolkit.change(by=None, title="Manager toolkit v2", justification="Renamed for launch")
    quarter_roadmap.initiatives.filter(title="Sales ramp academy").update(
        status=InitiativeStatus.STOPPED
    )
    InitiativeFactory(
        roadmap=quarter_roadmap,
        cycle=quarter_roadmap.cycles.order_by("position").first(),
        title="Added later",
        status=InitiativeStatus.DELIVERED,
    )
    quarter_roadmap.title = "Renamed roadmap"
    quarter_roadmap.save()

    assert report.requeue(fresh_snapshot=False, send=False)  # render again, same snapshot
    report_jobs.build_report(report_id=report.pk)
    report.refresh_from_db()

    content = report.file.read()
    after, _ = pdf_text(content)
    assert report.snapshot == first_snapshot
    assert after == before
    # Dated and identified by the snapshot: the very same bytes, so the same sha256.
    assert report.sha256 == first_sha256 == hashlib.sha256(content).hexdigest()
    assert "Manager toolkit v2" not in after and "Added later" not in after


def test_a_report_sent_to_someone_keeps_its_snapshot(quarter_roadmap):
    report = build(quarter_roadmap)
    report.deliveries.create(org=report.org, email="grace@northwind.test")
    assert not report.requeue(fresh_snapshot=True, send=True)


def test_a_section_registered_elsewhere_is_built_and_printed(quarter_roadmap, monkeypatch):
    """Another part of the product adds a section this way; the order is kept."""
    monkeypatch.setattr(reports, "_sections", list(reports.sections()))
    reports.register_section(
        Section(
            "extra",
            "An extra section",
            lambda roadmap, quarter: {"alerts": [], "total": 0, "seen": quarter.label},
            "roadmap/report_sections.html#alerts",
        ),
        after="kpis",
    )
    reports.register_section(reports.sections()[0])  # twice: nothing added

    report = build(quarter_roadmap)

    names = [s["name"] for s in report.snapshot["sections"]]
    assert names.index("extra") == names.index("kpis") + 1
    assert reports.section_data(report.snapshot)["extra"]["seen"] == "Q1 FY27"
    text, _ = pdf_text(report.file.read())
    assert text.index("An extra section") < text.index("NPS and ROI")
    assert len(reports.sections()) == 9


def test_an_early_report_says_so_far(quarter_roadmap):
    org = quarter_roadmap.org
    with time_machine.travel(datetime(2027, 2, 20, 9, 0).astimezone(), tick=False):
        quarter = report_jobs.current_quarter(org)
        report = report_jobs.request_report(roadmap=quarter_roadmap, quarter=quarter, send=False)
        report_jobs.build_report(report_id=report.pk)
    report.refresh_from_db()
    assert not report.is_final
    assert report.snapshot["final"] is False
    text, _ = pdf_text(report.file.read())
    assert "so far, as of 20 February 2027" in text


def test_quarter_of_uses_the_fiscal_year(org):
    org.fiscal_year_start_month = 4
    quarter = Quarter.of(org, date(2026, 5, 10))
    assert (quarter.start, quarter.end, quarter.label) == (
        date(2026, 4, 1),
        date(2026, 6, 30),
        "Q1 FY27",
    )


def test_decisions_and_the_quarterly_review_are_in_the_report_as_they_were(
    quarter_roadmap, admin_membership
):
    user = admin_membership.user
    q1 = quarter_roadmap.cycles.order_by("position").first()
    academy = quarter_roadmap.initiatives.get(title="Sales ramp academy")
    circles = quarter_roadmap.initiatives.get(title="Coaching circles")
    evidence = {"rows": [{"label": "Usage", "summary": "41% active in February"}]}
    with time_machine.travel(datetime(2027, 1, 20, 9, 0).astimezone(), tick=False):
        iterate.run_review(roadmap=quarter_roadmap, by=user, quarter_start=date(2027, 1, 1))
    with time_machine.travel(datetime(2027, 3, 2, 9, 0).astimezone(), tick=False):
        iterate.record_decision(
            initiative=academy,
            kind="revise",
            rationale="Ramp too slow.",
            evidence=evidence,
            by=user,
        )
        circles.change(by=user, justification="Coaches busy in Q2.", cycle=q1)
    with time_machine.travel(datetime(2027, 3, 20, 9, 0).astimezone(), tick=False):
        iterate.run_review(roadmap=quarter_roadmap, by=user, quarter_start=date(2027, 3, 1))
    # After the quarter: neither a later decision nor a later review belongs to Q1.
    with time_machine.travel(datetime(2027, 4, 1, 8, 0).astimezone(), tick=False):
        iterate.record_decision(
            initiative=circles, kind="keep", rationale="Later.", evidence={}, by=user
        )

    report = build(quarter_roadmap)
    sections = reports.section_data(report.snapshot)

    [decision] = sections["decisions"]["decisions"]
    assert (decision["title"], decision["kind_label"], decision["rationale"]) == (
        "Sales ramp academy",
        "Revise",
        "Ramp too slow.",
    )
    assert decision["evidence"] == [{"label": "Usage", "summary": "41% active in February"}]
    review = sections["review"]
    assert review["review"]["quarter"] == "Q1 FY27" and review["review"]["this_quarter"]
    moved = next(kind for kind in review["kinds"] if kind["key"] == "moved")
    assert [item["title"] for item in moved["items"]] == ["Coaching circles"]
    assert [r["text"] for r in moved["items"][0]["reasons"]] == ["Coaches busy in Q2."]
    text, _ = pdf_text(report.file.read())
    assert "Ramp too slow." in text and "Coaches busy in Q2." in text
    assert "Decisions: 1 revise." in reports.summary(report.snapshot)


def test_a_quarter_without_review_or_decision_says_so(quarter_roadmap):
    report = build(quarter_roadmap)
    sections = reports.section_data(report.snapshot)
    assert sections["review"] == {"review": None}
    assert sections["decisions"] == {"decisions": []}
    text, _ = pdf_text(report.file.read())
    assert "No quarterly review of this roadmap had been held" in text


needs_browser = pytest.mark.skipif(
    not Path("/usr/bin/chromium").is_file(), reason="no Chromium at /usr/bin/chromium"
)


def add_values(roadmap) -> None:
    """A reading in March (in Q1) and one in May (after it): the quarter shows March's."""
    kpi = Kpi.objects.get(org=roadmap.org, name="Time to full productivity")
    KpiValueFactory(kpi=kpi, date=date(2027, 3, 1), value=Decimal(90))
    KpiValueFactory(kpi=kpi, date=date(2027, 3, 1), segment="EMEA", value=Decimal(88))
    KpiValueFactory(kpi=kpi, date=date(2027, 5, 1), value=Decimal(70))


def test_the_roadmap_kpis_are_as_of_the_quarters_end_and_their_chart_reads_the_snapshot(
    quarter_roadmap, django_assert_num_queries
):
    add_values(quarter_roadmap)
    report = build(quarter_roadmap)

    [kpi] = reports.section_data(report.snapshot)["kpis"]["kpis"]
    assert kpi["latest"] == "90"  # not May's 70, read after the quarter
    assert [(v["date"], v["segment"], v["value"]) for v in kpi["values"]] == [
        ("2027-02-01", "", "95"),
        ("2027-03-01", "", "90"),
        ("2027-03-01", "EMEA", "88"),
    ]
    with django_assert_num_queries(0):  # the snapshot alone: no live row is read
        figures = reports.report_figures(report.snapshot)
    [trend] = [f for f in figures if f.key == "kpi-0"]
    overall, emea = trend.figure["data"][:2]
    assert (overall["name"], overall["y"], emea["name"], emea["y"]) == (
        "Overall",
        [95.0, 90.0],
        "EMEA",
        [88.0],
    )
    assert "Overall from 95 (2027-02-01) to 90 (2027-03-01)" in trend.alt
    assert trend.alt.startswith("Time to full productivity over time (days): ")


@needs_browser
def test_the_report_pdf_is_pdf_a_3a_with_each_chart_a_figure_with_its_alt(quarter_roadmap):
    add_values(quarter_roadmap)
    report = build(quarter_roadmap)
    content = report.file.read()

    expected = [f.alt for f in reports.report_figures(report.snapshot)]
    figures = [tag for tag in pdfs.structure(content) if tag.role == "Figure"]
    assert expected and [figure.alt for figure in figures] == expected
    assert "Chart shown as a table" not in pdfs.text(content)
    catalog = pdfs.catalog(content)
    xmp = catalog["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="A"' in xmp
    assert catalog["/Lang"] == "en" and catalog["/MarkInfo"]["/Marked"]
    # Dated by the snapshot, not by the render.
    assert report.snapshot["built_iso"][:10].encode() in xmp
    assert {"H1", "H2", "Table", "TH"} <= set(pdfs.roles(content))
    assert "DejaVu-Sans" in pdfs.embedded_fonts(content)


def test_without_a_browser_the_report_prints_its_trends_as_tables(quarter_roadmap, settings):
    settings.PDF_BROWSER_PATH = "/nonexistent/chromium"
    add_values(quarter_roadmap)
    report = build(quarter_roadmap)
    content = report.file.read()

    assert "Figure" not in pdfs.roles(content)
    text = pdfs.text(content)
    assert "Chart shown as a table: no browser is installed to draw it." in text
    # The KPI's values, read off its table: date, overall, EMEA.
    assert "2027-02-01 95" in text and "2027-03-01 90 88" in text
    assert "Time to full productivity over time (days)" in text  # the table's caption
    xmp = pdfs.catalog(content)["/Metadata"].get_object().get_data()
    assert b'pdfaid:conformance="A"' in xmp


def test_the_report_charts_a_few_roadmap_kpis_those_off_track_first(quarter_roadmap):
    org = quarter_roadmap.org
    for name in ["A reach", "B reach", "C reach", "D reach"]:
        kpi = KpiFactory(org=org, name=name, target=None, target_date=None)
        KpiValueFactory(kpi=kpi, date=date(2027, 2, 1), value=Decimal(5))
        InitiativeFactory(roadmap=quarter_roadmap, title=f"Initiative for {name}", kpi=kpi)
    report = build(quarter_roadmap)

    rows = reports.section_data(report.snapshot)["kpis"]["kpis"]
    assert len(rows) == 5  # the table lists every KPI
    charted = [row["name"] for row in rows if row["values"]]
    assert len(charted) == reports.MAX_KPI_CHARTS == 4
    # Off track (the fixture's KPI, 95 days against 60 due by December) before no target.
    assert "Time to full productivity" in charted and "D reach" not in charted
    keys = [f.key for f in reports.report_figures(report.snapshot)]
    assert sum(key.startswith("kpi-") for key in keys) == 4


@needs_browser
def test_a_chart_drawn_ahead_that_fails_is_its_table_and_the_document_is_laid_out_again(
    quarter_roadmap,
):
    # The job draws the charts while WeasyPrint styles the document (they are images it
    # waits for); one that cannot be drawn in time must still end as its table, not as a
    # missing image. No chart draws in a millisecond.
    add_values(quarter_roadmap)
    report = build(quarter_roadmap)
    with ChartRenderer(timeout=0.001) as renderer:
        renderer.start()
        content = reports.render_report_pdf(report.snapshot, renderer)
    assert renderer.drawn == 0 and renderer.tables == len(reports.report_figures(report.snapshot))
    assert "Figure" not in pdfs.roles(content)
    text = pdfs.text(content)
    # Given up on by us (stopped answering) or by Kaleido (could not be drawn): the browser
    # drew ahead, so which one depends on the machine's load.
    assert "Chart shown as a table: the" in text
    assert "2027-02-01 95" in text and "2027-03-01 90 88" in text


@needs_browser
def test_charts_drawn_ahead_give_the_same_document_as_charts_drawn_first(quarter_roadmap):
    add_values(quarter_roadmap)
    report = build(quarter_roadmap)
    with ChartRenderer() as renderer:
        renderer.start()
        ahead = reports.render_report_pdf(report.snapshot, renderer)
        assert renderer.waiting == 0
    with ChartRenderer() as renderer:
        charts = reports.draw_report_charts(report.snapshot, renderer)
    first = reports.render_report_html(
        reports.report_html(report.snapshot, charts), report.snapshot
    )
    assert pdfs.text(ahead) == pdfs.text(first)
    figures = [
        [tag.alt for tag in pdfs.structure(c) if tag.role == "Figure"] for c in (ahead, first)
    ]
    assert figures[0] == figures[1] and len(figures[0]) == 2


def test_a_long_kpi_trend_is_a_plain_line_on_paper_and_a_short_one_keeps_its_markers():
    row = {
        "name": "Escalations",
        "unit": "",
        "baseline": "",
        "target": "",
        "values": [
            {"date": date.fromordinal(738000 + n).isoformat(), "segment": "", "value": str(n)}
            for n in range(reports.MAX_MARKERS + 1)
        ],
    }
    [line] = reports.kpi_figure(row)["data"]
    assert line["mode"] == "lines" and len(line["y"]) == reports.MAX_MARKERS + 1
    row["values"] = row["values"][: reports.MAX_MARKERS]
    assert reports.kpi_figure(row)["data"][0]["mode"] == "lines+markers"


def test_the_job_starts_the_browser_early_only_for_a_snapshot_that_may_draw(quarter_roadmap):
    assert reports.may_draw_charts({})  # not taken yet: it may
    assert not reports.may_draw_charts({"sections": []})
    snapshot = build(quarter_roadmap).snapshot
    assert reports.may_draw_charts(snapshot) == bool(reports.report_figures(snapshot))
    kpis = reports.section_data(snapshot)["kpis"]
    for row in kpis["kpis"]:
        row["values"] = []
    for family in kpis["families"]:
        for card in family["cards"]:
            card["trend"] = card["trend"][:1]
    assert not reports.may_draw_charts(snapshot) and not reports.report_figures(snapshot)
