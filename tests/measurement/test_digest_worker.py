"""Beat's weekly digest task on a real Celery worker: the worker refreshes the alerts and
e-mails them (to files, through Django's file e-mail backend), and marks them sent.

Deselected unless CELERY_BROKER_URL is set and the database is PostgreSQL (tests/conftest.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from measurement.models import Alert
from roadmap_site.celery import app as celery_app
from roadmap_site.models import Role
from tests.factories import KpiFactory, KpiValueFactory, MembershipFactory, OrganizationFactory
from tests.roadmap.test_export_worker import celery_worker, wait_for

pytestmark = [pytest.mark.integration]


def test_the_weekly_digest_runs_on_a_real_worker(transactional_db, tmp_path):
    org = OrganizationFactory(name="Northwind")
    MembershipFactory(org=org, role=Role.ADMIN, user__email="maya@northwind.test")
    kpi = KpiFactory(org=org, name="Time to full productivity")
    KpiValueFactory(kpi=kpi, date=date(2026, 7, 1), value=Decimal(95))
    outbox = tmp_path / "outbox"
    outbox.mkdir()

    with celery_worker(tmp_path, env={"EMAIL_URL": f"filemail:///{outbox}"}) as worker:
        celery_app.send_task("measurement.tasks.send_weekly_digest")  # what beat sends
        alert = wait_for(
            lambda: Alert.objects.filter(org=org, notified_at__isnull=False).first(),
            worker,
            "the digest to mark its alert sent",
        )
        [message] = wait_for(lambda: list(outbox.iterdir()), worker, "the e-mail file")

    assert alert.notified_state == alert.state == "off_track"
    text = message.read_text()
    assert "To: maya@northwind.test" in text
    assert "Time to full productivity is off track" in text
    assert "text/html" in text


def test_the_hourly_alert_refresh_runs_on_a_real_worker(transactional_db, tmp_path):
    """What beat sends every hour: the worker finds the off-track KPI without any page view."""
    org = OrganizationFactory(name="Fabrikam")
    kpi = KpiFactory(org=org, name="Days to first closed deal")
    KpiValueFactory(kpi=kpi, date=date(2026, 7, 1), value=Decimal(95))
    assert not Alert.objects.filter(org=org).exists()

    with celery_worker(tmp_path) as worker:
        celery_app.send_task("measurement.tasks.refresh_alerts")
        alert = wait_for(
            lambda: Alert.objects.filter(org=org).first(), worker, "the refresh to find the KPI"
        )

    assert alert.title == "Days to first closed deal is off track"
    assert alert.resolved_at is None and alert.notified_at is None  # found, not yet mailed
