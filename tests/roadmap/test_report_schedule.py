"""Which quarter's report is due: quarter boundaries, fiscal years starting in any month,
weekends and time zones; and the hourly tick that builds the due ones, once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from roadmap import report_jobs, reports
from roadmap.models import QuarterlyReport, ReportStatus
from roadmap.reports import first_working_day, quarter_due
from roadmap_site.models import Organization
from tests.factories import OrganizationFactory, RoadmapFactory


def org_of(start_month: int = 1, zone: str = "UTC") -> Organization:
    return Organization(name="X", fiscal_year_start_month=start_month, time_zone=zone)


def test_due_from_the_first_day_when_it_is_a_weekday():
    org = org_of()  # 1 January 2026 is a Thursday
    assert quarter_due(org, date(2025, 12, 31)) is not None  # Q3's report, still due
    assert quarter_due(org, date(2025, 12, 31)).label == "Q3 FY25"
    due = quarter_due(org, date(2026, 1, 1))
    assert (due.start, due.end, due.label) == (date(2025, 10, 1), date(2025, 12, 31), "Q4 FY25")
    # The same quarter stays due all quarter: a missed tick is caught up.
    assert quarter_due(org, date(2026, 3, 31)).label == "Q4 FY25"
    assert quarter_due(org, date(2026, 4, 1)).label == "Q1 FY26"


def test_a_quarter_starting_on_a_weekend_waits_for_monday():
    org = org_of(start_month=2)  # quarters start Feb, May, Aug, Nov; 1 Nov 2025 is a Saturday
    assert quarter_due(org, date(2025, 11, 1)) is None
    assert quarter_due(org, date(2025, 11, 2)) is None  # Sunday
    due = quarter_due(org, date(2025, 11, 3))  # Monday
    assert (due.start, due.end, due.label) == (date(2025, 8, 1), date(2025, 10, 31), "Q3 FY26")
    assert first_working_day(date(2025, 11, 1)) == date(2025, 11, 3)
    assert first_working_day(date(2025, 11, 3)) == date(2025, 11, 3)


@pytest.mark.parametrize("start_month", range(1, 13))
def test_any_fiscal_year_start(start_month):
    """On the first working day of the fiscal year, the year's last quarter (Q4) is due;
    the day before the year starts, Q3 still is, or nothing on a weekend."""
    org = org_of(start_month=start_month)
    year_start = date(2026, start_month, 1)
    first = first_working_day(year_start)
    due = quarter_due(org, first)
    # The year that just ended is named by the calendar year it ended in.
    assert due.label == ("Q4 FY25" if start_month == 1 else "Q4 FY26")
    assert due.end == year_start - timedelta(days=1)
    assert due.start == org.fiscal_quarter_bounds(year_start - timedelta(days=1))[0]
    assert (due.end - due.start).days in range(88, 92)
    for day in (first - timedelta(days=n) for n in range(1, (first - year_start).days + 1)):
        assert quarter_due(org, day) is None  # a weekend at the year's start
    assert quarter_due(org, year_start - timedelta(days=1)).label.startswith("Q3")


def test_the_organisation_clock_decides():
    """31 March 2026, 12:00 UTC: already Wednesday 1 April in Auckland, still 31 March in
    Los Angeles."""
    noon = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    with time_machine.travel(noon, tick=False):
        auckland = org_of(zone="Pacific/Auckland")
        los_angeles = org_of(zone="America/Los_Angeles")
        assert quarter_due(auckland, auckland.today()).label == "Q1 FY26"
        assert quarter_due(los_angeles, los_angeles.today()).label == "Q4 FY25"


@pytest.mark.django_db
def test_the_tick_builds_each_due_roadmap_once_in_each_time_zone(
    django_capture_on_commit_callbacks,
):
    auckland = OrganizationFactory(name="Kiwi", time_zone="Pacific/Auckland")
    los_angeles = OrganizationFactory(name="Coast", time_zone="America/Los_Angeles")
    kiwi = RoadmapFactory(org=auckland, fiscal_year=2026)
    coast = RoadmapFactory(org=los_angeles, fiscal_year=2026)
    RoadmapFactory(org=auckland, fiscal_year=2027, title="Next year")  # not covering Q1

    # Q1 FY26 ended on 31 March; on 1 April (Wednesday) 01:00 in Auckland it is due there.
    with django_capture_on_commit_callbacks() as callbacks:
        assert report_jobs.send_due_reports(now=datetime(2026, 3, 31, 12, 0, tzinfo=UTC)) == 1
        # A second tick (beat fires twice, or an hour later) finds the report and does nothing.
        assert report_jobs.send_due_reports(now=datetime(2026, 3, 31, 13, 0, tzinfo=UTC)) == 0
    report = QuarterlyReport.objects.get()
    assert (report.roadmap, report.label, report.send_when_built) == (kiwi, "Q1 FY26", True)
    assert report.requested_by is None
    assert len(callbacks) == 1  # one build sent to a worker

    # Los Angeles reaches 1 April 8 hours later.
    with django_capture_on_commit_callbacks():
        assert report_jobs.send_due_reports(now=datetime(2026, 4, 1, 7, 0, tzinfo=UTC)) == 1
    assert QuarterlyReport.objects.filter(roadmap=coast, label="Q1 FY26").exists()


@pytest.mark.django_db
def test_the_tick_replaces_an_early_report_nobody_received(roadmap):
    org = roadmap.org
    with time_machine.travel(datetime(2027, 3, 10, 9, 0, tzinfo=UTC), tick=False):
        early = report_jobs.request_report(
            roadmap=roadmap, quarter=report_jobs.current_quarter(org), send=False
        )
        report_jobs.build_report(report_id=early.pk)
    early.refresh_from_db()
    assert early.status == ReportStatus.DONE and not early.is_final

    with time_machine.travel(datetime(2027, 4, 1, 9, 0, tzinfo=UTC), tick=False):
        assert report_jobs.send_due_reports() == 1
        early.refresh_from_db()
        assert (early.status, early.snapshot, early.send_when_built) == (
            ReportStatus.PENDING,
            {},
            True,
        )
        report_jobs.build_report(report_id=early.pk)
    early.refresh_from_db()
    assert early.is_final and early.snapshot["final"] is True
    assert reports.summary(early.snapshot)


@pytest.mark.django_db
def test_a_build_whose_worker_died_is_failed_by_the_sweep_then_built_by_the_next_tick(roadmap):
    with time_machine.travel(datetime(2027, 4, 1, 9, 0, tzinfo=UTC), tick=False):
        assert report_jobs.send_due_reports() == 1
        report = QuarterlyReport.objects.get()
        assert report.claim()  # a worker took it, and died
    later = datetime(2027, 4, 1, 9, 7, tzinfo=UTC)  # past the hard limit and the margin
    assert report_jobs.fail_stale_reports(now=later) == (1, 0)
    report.refresh_from_db()
    assert (report.status, report.error) == (
        ReportStatus.FAILED,
        "the worker stopped before the report was finished",
    )
    with time_machine.travel(later, tick=False):
        assert report_jobs.send_due_reports() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING
