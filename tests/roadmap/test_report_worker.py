"""Beat's quarterly-report task on a real Celery worker: the worker finds the due quarter,
builds the report (PDF on the `pdf` queue) and mails each subscriber once, to files through
Django's file e-mail backend. A second tick sends nothing more.

Deselected unless CELERY_BROKER_URL is set and the database is PostgreSQL (tests/conftest.py).
"""

from __future__ import annotations

import pytest

from roadmap.models import DeliveryStatus, QuarterlyReport, ReportDelivery, ReportSubscription
from roadmap.reports import quarter_due
from roadmap_site.celery import app as celery_app
from tests.factories import OrganizationFactory, PersonFactory, RoadmapFactory
from tests.roadmap.test_export_worker import celery_worker, wait_for

pytestmark = [pytest.mark.integration]


def org_with_a_due_quarter():
    """An organisation whose report is due today on the real clock: the worker decides by
    its own clock. A quarter that began on a weekend this very day is not due yet, so the
    fiscal year's start month is chosen to avoid one."""
    for start_month in (1, 2, 3):
        org = OrganizationFactory(name="Northwind", fiscal_year_start_month=start_month)
        quarter = quarter_due(org, org.today())
        if quarter is not None:
            return org, quarter
        org.delete()
    raise AssertionError("no fiscal year start gives a due quarter today")


def test_beat_builds_and_mails_the_quarterly_report_once_on_a_real_worker(
    transactional_db, tmp_path
):
    org, quarter = org_with_a_due_quarter()
    roadmap = RoadmapFactory(
        org=org, title="Global onboarding roadmap", fiscal_year=org.fiscal_year_of(quarter.end)
    )
    grace = PersonFactory(org=org, name="Grace Kim", email="grace@northwind.test")
    ReportSubscription.objects.create(org=org, roadmap=roadmap, person=grace)
    outbox = tmp_path / "outbox"
    outbox.mkdir()

    with celery_worker(tmp_path, env={"EMAIL_URL": f"filemail:///{outbox}"}) as worker:
        celery_app.send_task("roadmap.tasks.send_due_reports")  # what beat sends
        delivery = wait_for(
            lambda: ReportDelivery.objects.filter(status=DeliveryStatus.SENT).first(),
            worker,
            "the report to be built and sent",
        )
        [message] = wait_for(lambda: list(outbox.iterdir()), worker, "the e-mail file")

        # Beat again (the next hour, or a duplicate tick): the report exists, nothing is sent.
        celery_app.send_task("roadmap.tasks.send_due_reports")
        celery_app.send_task("roadmap.tasks.fail_stale_reports")
        wait_for(
            lambda: (
                "roadmap.tasks.fail_stale_reports" in worker.log_path.read_text()
                and worker.log_path.read_text().count("succeeded") >= 5
            ),
            worker,
            "the second tick and the sweep to finish",
        )

    report = QuarterlyReport.objects.get()
    assert (report.label, report.status, report.is_final) == (quarter.label, "done", True)
    assert (delivery.email, delivery.attempts) == ("grace@northwind.test", 1)
    assert ReportDelivery.objects.count() == 1
    assert len(list(outbox.iterdir())) == 1
    text = message.read_text()
    assert "To: grace@northwind.test" in text
    assert f"Subject: {quarter.label} report: Global onboarding roadmap" in text
    assert "text/html" in text and "application/pdf" in text
    assert f'filename="{report.filename}"' in text
