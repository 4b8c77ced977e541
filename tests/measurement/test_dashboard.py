"""The measurement dashboard: every registered family's headlines with status, trend
chart and rule; cached by the organisation's version; queries constant as data grows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from measurement import alignment, dashboard
from measurement.figures import Headline
from measurement.models import Forum, KpiFamily
from measurement.tasks import refresh_org_alerts
from roadmap.models import SmeAssignment, Stage, StageKind
from roadmap_site.cache import bump_org
from tests.conftest import HTMX
from tests.factories import InitiativeFactory, KpiFactory, KpiValueFactory, PersonFactory

pytestmark = pytest.mark.django_db

URL = reverse("measurement:dashboard")
TODAY = date(2026, 11, 30)


def test_the_apps_register_their_headline_sources():
    from roadmap import measures

    assert alignment.headlines in dashboard.sources()
    assert measures.headlines in dashboard.sources()


def test_headlines_come_in_the_articles_family_order(org):
    def custom(org, today):
        return [
            Headline(KpiFamily.CUSTOM, "Team's own", None, "—", "rule", "/"),
            Headline(KpiFamily.LEARNER_ENGAGEMENT, "Engagement", None, "—", "rule", "/"),
        ]

    dashboard.register_headlines(custom)
    dashboard.register_headlines(custom)  # a second `ready()` adds nothing
    try:
        assert dashboard.sources().count(custom) == 1
        families = [h.family for h in dashboard.headlines(org, TODAY)]
    finally:
        dashboard._sources.remove(custom)
    order = [f.value for f in KpiFamily]
    assert families == sorted(families, key=order.index)
    assert families[-1] == KpiFamily.CUSTOM


@time_machine.travel(date(2026, 11, 30), tick=False)
def test_cards_show_figure_status_rule_trend_and_link(editor_client, org):
    elena = PersonFactory(org=org, name="Elena Rossi", is_senior=True)
    PersonFactory(org=org, name="Grace Kim", is_senior=True)
    alignment.record_touchpoint(org=org, stakeholder=elena, day=TODAY, forum=Forum.OTHER)
    alignment.record_touchpoint(org=org, stakeholder=elena, day=date(2026, 8, 3), forum=Forum.OTHER)
    page = editor_client.get(URL).content.decode()
    assert 'id="family-leadership_alignment"' in page
    assert "Senior stakeholders met this quarter (Q4 FY26)" in page
    assert "50%" in page and "kpi-off_track" in page  # 1 of 2 < 75 %
    assert (
        alignment.ALIGNMENT_RULE.replace("“", "&ldquo;")[:20] in page
        or "Senior stakeholders (people marked" in page
    )
    assert f'href="{reverse("measurement:alignment")}"' in page
    assert 'data-chart="chart-' in page and 'type="application/json"' in page
    assert 'id="family-sme_engagement"' in page
    assert "<script>" not in page  # charts are data; the one static script draws them


def test_viewer_sees_the_dashboard_and_the_nav_points_to_it(viewer_client, org):
    response = viewer_client.get(reverse("measurement:home"))
    page = response.content.decode()
    assert f'<a href="{URL}" aria-current="page">Measurement</a>' in page
    assert viewer_client.get(URL).status_code == 200


@time_machine.travel(date(2026, 11, 30), tick=False)
def test_cards_are_cached_until_the_version_moves(editor_client, org):
    grace = PersonFactory(org=org, name="Grace Kim", is_senior=True)
    bump_org(org)
    assert "0%" in editor_client.get(URL).content.decode()
    # Written around the services (no bump): the cached cards still say 0 %.
    from measurement.models import Touchpoint

    Touchpoint.objects.create(org=org, stakeholder=grace, date=TODAY, forum=Forum.OTHER)
    assert "100%" not in editor_client.get(URL).content.decode()
    bump_org(org)
    assert "100%" in editor_client.get(URL).content.decode()


def populate(org, roadmap, n, offset=0):
    """`n` of everything an alert or a card reads: seniors (half met), off-track KPIs,
    initiatives whose SME came late."""
    for i in range(offset, offset + n):
        person = PersonFactory(org=org, name=f"Senior {i}", is_senior=True)
        if i % 2:
            alignment.record_touchpoint(org=org, stakeholder=person, day=TODAY, forum="other")
        kpi = KpiFactory(org=org, name=f"KPI {i}", owner=person)
        KpiValueFactory(kpi=kpi, date=date(2026, 7, 1), value=Decimal(95))
        initiative = InitiativeFactory(roadmap=roadmap, title=f"Initiative {i}")
        Stage.objects.create(
            org=org,
            initiative=initiative,
            kind=StageKind.CONTENT_CREATION,
            start=date(2026, 9, 1),
            end=date(2026, 9, 30),
        )
        SmeAssignment.objects.create(
            org=org,
            initiative=initiative,
            person=person,
            involved_on=date(2026, 9, 1) + timedelta(days=i % 3),
        )


@time_machine.travel(date(2026, 11, 30), tick=False)
def test_dashboard_queries_do_not_grow(editor_client, org, roadmap, django_assert_num_queries):
    def bump():
        bump_org(org)
        # What the write's commit queues (measurement/tasks.py `refresh_alerts_soon`).
        refresh_org_alerts(org.pk)
        cache.clear()

    populate(org, roadmap, 3)
    bump()
    # The version's bump, then the refresh after it: the organisation, its lock, the six
    # rules (the sixth, roadmaps not reviewed for a quarter, is one query), the lock on the
    # existing alerts, their update, the refresh mark.
    with django_assert_num_queries(17) as refresh:
        bump()
    small_refresh = len(refresh.captured_queries)
    # The first view after the write: session and membership (4), the refresh mark (1), the
    # cards' figures of all four families (~15), the alerts grouped by rule with their counts
    # in one query (views/dashboard.py `_open_alerts_ranked`; it was one query per rule with
    # open alerts plus three, eight here). Nothing written.
    with django_assert_num_queries(19) as small:
        assert "Initiative 1: SME not involved" in editor_client.get(URL).content.decode()
    small_count = len(small.captured_queries)
    populate(org, roadmap, 30, offset=100)
    bump()
    with django_assert_num_queries(small_refresh):
        bump()
    with django_assert_num_queries(small_count):
        assert "Initiative 101: SME not involved" in editor_client.get(URL).content.decode()
    # Viewed again with nothing changed: the cards from the cache; session and membership,
    # the refresh mark, the alerts (one query).
    with django_assert_num_queries(7):
        editor_client.get(URL)


@time_machine.travel(date(2026, 11, 30), tick=False)
def test_a_view_writes_nothing_and_polls_while_the_alerts_catch_up(
    client_for, org, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """Data moved but the refresh has not run yet (a busy worker, a new day): the page
    shows the alerts it has, says they are being checked, asks for a refresh once, and
    its alerts poll until the refresh is done."""
    from tests.measurement.test_alerts import off_track_kpi

    off_track_kpi(org)
    bump_org(org)  # no commit in a test: nothing refreshed yet
    editor = client_for("editor")
    with django_capture_on_commit_callbacks() as asked, django_assert_num_queries(18) as queries:
        page = editor.get(URL).content.decode()
    assert not [
        q["sql"] for q in queries.captured_queries if q["sql"].split()[0] in {"INSERT", "UPDATE"}
    ]
    assert "Checking the rules against the latest changes" in page
    assert 'hx-trigger="every 2s"' in page
    assert "Time to full productivity is off track" not in page
    assert len(asked) == 1
    # A second view within the minute does not ask again.
    with django_capture_on_commit_callbacks() as asked_again:
        client_for("viewer").get(URL)
    assert not asked_again
    assert refresh_org_alerts(org.pk)  # what the queued task does, in a worker
    fragment = editor.get(URL, {"part": "alerts"}, **HTMX).content.decode()
    assert fragment.lstrip().startswith('<section class="card" id="alerts"')
    assert "Time to full productivity is off track" in fragment
    assert "every 2s" not in fragment and "Checking the rules" not in fragment
    assert "Acknowledge" in fragment
    assert "Time to full productivity" not in client_for("outsider").get(URL).content.decode()


def test_the_demo_shows_every_figure_and_every_alert_of_this_part():
    """Seeded on any day: this quarter's touchpoints, one senior without any, one SME who
    came after the build began, an off-track KPI."""
    import io

    from django.core.management import call_command

    from measurement import alerts
    from measurement.models import Alert, AlertKind, KpiStatus, Touchpoint
    from roadmap_site.demo import DEMO_SLUG
    from roadmap_site.models import Organization

    call_command("seed_demo", stdout=io.StringIO())
    org = Organization.objects.get(slug=DEMO_SLUG)
    today = org.today()
    start, end = org.fiscal_quarter_bounds(today)
    assert Touchpoint.objects.filter(org=org, date__gte=start, date__lte=end).count() >= 3
    alerts.refresh_alerts(org, today)
    found = {(a.kind, a.title.split(":")[0]) for a in Alert.objects.filter(org=org)}
    kinds = {kind for kind, _ in found}
    assert {
        AlertKind.KPI_OFF_TRACK,
        AlertKind.SENIOR_WITHOUT_TOUCHPOINT,
        AlertKind.SME_LATE,
    } <= kinds
    assert (AlertKind.SME_LATE, "Sales onboarding bootcamp") in found
    assert any("Grace Kim" in a.title for a in Alert.objects.filter(org=org))
    figures = alignment.quarter_alignment(org, today)
    assert [s.person.name for s in figures.not_met] == ["Grace Kim"]
    assert figures.status == KpiStatus.AT_RISK  # 3 of 4
