"""The weekly alert digest: who gets what, plain text and HTML, each alert once until its
state changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.test import override_settings

from measurement import alerts, digest, tasks
from measurement.models import Alert, AlertKind
from roadmap_site.models import Role
from tests.factories import KpiFactory, KpiValueFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 30)  # January fiscal year: Q4 FY26


@pytest.fixture
def admins(org):
    MembershipFactory(org=org, role=Role.ADMIN, user__email="maya@northwind.test")
    MembershipFactory(org=org, role=Role.ADMIN, user__email="david@northwind.test")
    MembershipFactory(org=org, role=Role.EDITOR, user__email="jonas@northwind.test")


def off_track_kpi(org, owner=None, name="Time to full productivity"):
    kpi = KpiFactory(org=org, name=name, owner=owner)
    KpiValueFactory(kpi=kpi, date=date(2026, 7, 1), value=Decimal(95))
    return kpi


@override_settings(SITE_URL="https://roadmap.example")
def test_owner_gets_their_alert_and_admins_get_the_ownerless(org, admins):
    elena = PersonFactory(org=org, name="Elena Rossi", email="elena@northwind.test")
    kpi = off_track_kpi(org, owner=elena)
    PersonFactory(org=org, name="Grace Kim", is_senior=True, email="")  # no owner: admins
    alerts.refresh_alerts(org, TODAY)

    sent = digest.send_digest(org=org)

    assert (sent.messages, sent.alerts) == (3, 2)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == [
        "david@northwind.test",
        "elena@northwind.test",
        "maya@northwind.test",
    ]
    to_elena = by_address["elena@northwind.test"]
    assert to_elena.subject == "1 measurement alert for Northwind"
    assert "Time to full productivity is off track" in to_elena.body
    assert "Grace Kim" not in to_elena.body
    assert f"See the cause: https://roadmap.example/measurement/kpis/{kpi.pk}/" in to_elena.body
    assert f"Rule: {alerts.KPI_OFF_TRACK_RULE}" in to_elena.body
    assert "https://roadmap.example/measurement/dashboard/" in to_elena.body
    [(html, mimetype)] = to_elena.alternatives
    assert mimetype == "text/html"
    assert f'<a href="https://roadmap.example/measurement/kpis/{kpi.pk}/">See the cause</a>' in html
    to_maya = by_address["maya@northwind.test"]
    assert "No touchpoint with Grace Kim in Q4 FY26" in to_maya.body
    assert "Time to full productivity" not in to_maya.body
    assert all(a.notified_state == a.state for a in Alert.objects.all())


def test_each_alert_is_sent_once(org, admins):
    off_track_kpi(org)
    alerts.refresh_alerts(org, TODAY)
    assert digest.send_digest(org=org).alerts == 1
    mail.outbox.clear()
    alerts.refresh_alerts(org, TODAY)
    assert digest.send_digest(org=org) == digest.Sent(0, 0)
    assert mail.outbox == []


def test_a_state_change_sends_it_again(org, admins):
    PersonFactory(org=org, name="Grace Kim", is_senior=True)
    alerts.refresh_alerts(org, TODAY)
    digest.send_digest(org=org)
    mail.outbox.clear()
    alerts.refresh_alerts(org, date(2027, 1, 4))  # a new quarter, still not met
    assert digest.send_digest(org=org).alerts == 1
    assert "No touchpoint with Grace Kim in Q1 FY27" in mail.outbox[0].body


def test_acknowledged_resolved_and_other_organisations_alerts_are_not_sent(
    org, other_org, admins, editor_membership
):
    acknowledged = off_track_kpi(org, name="Acknowledged KPI")
    resolved = off_track_kpi(org, name="Recovered KPI")
    off_track_kpi(other_org, name="Their KPI")
    MembershipFactory(org=other_org, role=Role.ADMIN, user__email="them@contoso.test")
    alerts.refresh_alerts(org, TODAY)
    alerts.refresh_alerts(other_org, TODAY)
    Alert.objects.get(subject=f"kpi:{acknowledged.pk}").acknowledge(
        by=editor_membership.user, note="On it"
    )
    resolved.record(day=date(2026, 8, 1), value=Decimal(70))
    alerts.refresh_alerts(org, TODAY)
    assert digest.send_digest(org=org) == digest.Sent(0, 0)
    assert mail.outbox == []


def test_nobody_to_send_to_leaves_the_alert_for_later(org):
    off_track_kpi(org)  # no owner, and no admin
    alerts.refresh_alerts(org, TODAY)
    assert digest.send_digest(org=org) == digest.Sent(0, 0)
    assert Alert.objects.get().notified_state == ""


def test_the_weekly_task_refreshes_and_sends_every_organisation(org, other_org, admins):
    """The task body, called directly (tests/measurement/test_digest_worker.py runs it on
    a real worker)."""
    off_track_kpi(org)
    off_track_kpi(other_org, name="Their KPI")
    MembershipFactory(org=other_org, role=Role.ADMIN, user__email="them@contoso.test")
    assert tasks.send_weekly_digest() == 3  # two admins here, one there
    assert {m.to[0] for m in mail.outbox} == {
        "maya@northwind.test",
        "david@northwind.test",
        "them@contoso.test",
    }
    assert tasks.send_weekly_digest() == 0


def test_the_hourly_task_refreshes_every_organisation(org, other_org):
    off_track_kpi(org)
    off_track_kpi(other_org, name="Their KPI")
    assert tasks.refresh_alerts() >= 2
    assert Alert.objects.filter(kind=AlertKind.KPI_OFF_TRACK).count() == 2


def test_beat_declares_both_schedules(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    weekly = schedule["weekly-alert-digest"]
    assert weekly["task"] == "measurement.tasks.send_weekly_digest"
    assert weekly["schedule"].day_of_week == {1}  # Monday
    assert weekly["schedule"].hour == {7}
    assert schedule["refresh-alerts"]["task"] == "measurement.tasks.refresh_alerts"
    assert schedule["refresh-alerts"]["schedule"].minute == {0}
