"""The dashboard's alerts in one query (`_alerts_context`): the same groups, alerts, order
and counts as the per-rule queries it replaced (kept here as the reference), per
organisation, with acknowledged and resolved alerts and a rule's whole list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Count

from measurement import alerts
from measurement.models import Alert, AlertKind
from measurement.views import dashboard
from measurement.views.dashboard import (
    ACKNOWLEDGED_SHOWN,
    ALL_OF_ONE_RULE,
    SHOWN_PER_RULE,
    _alerts_context,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)


def per_rule_reference(org, kind=""):
    """What the dashboard did before: the counts, one query per rule, the acknowledged
    ones and their count."""
    open_alerts = Alert.objects.for_org(org).open()
    counts = dict(
        open_alerts.unacknowledged().values_list("kind").annotate(n=Count("pk")).order_by()
    )
    groups = []
    for rule in alerts.rules():
        if not counts.get(rule.kind):
            continue
        limit = ALL_OF_ONE_RULE if kind == rule.kind else SHOWN_PER_RULE
        rows = list(open_alerts.unacknowledged().filter(kind=rule.kind)[:limit])
        groups.append((rule.kind, rule.rule_text, [a.pk for a in rows], counts[rule.kind]))
    acknowledged = open_alerts.filter(acknowledged_at__isnull=False).order_by("-acknowledged_at")
    return {
        "groups": groups,
        "acknowledged": [a.pk for a in acknowledged[:ACKNOWLEDGED_SHOWN]],
        "open_count": sum(counts.values()),
        "acknowledged_count": acknowledged.count(),
    }


def one_query(org, kind=""):
    context = _alerts_context(org, kind=kind)
    return {
        "groups": [
            (g.kind.value, g.rule_text, [a.pk for a in g.alerts], g.count)
            for g in context["alert_groups"]
        ],
        "acknowledged": [a.pk for a in context["acknowledged_alerts"]],
        "open_count": context["open_count"],
        "acknowledged_count": context["acknowledged_count"],
    }


def make(org, kind, n, *, user=None, resolved=False, start=0):
    """`n` alerts of `kind`; every third shares its first sighting with the one before
    (so the pk breaks the tie), out of pk order; acknowledged ones a minute apart."""
    made = []
    for i in range(n):
        seen = T0 + timedelta(hours=(n - i) // 3 * 3)
        made.append(
            Alert.objects.create(
                org=org,
                kind=kind,
                subject=f"s:{start + i}",
                title=f"{kind} {start + i}",
                url="/",
                state="x",
                first_seen=seen,
                last_seen=seen,
                resolved_at=T0 if resolved else None,
                acknowledged_at=T0 + timedelta(minutes=start + i) if user else None,
                acknowledged_by=user,
            )
        )
    return made


@pytest.fixture
def many(org, other_org, editor_membership):
    user = editor_membership.user
    make(org, AlertKind.SENIOR_WITHOUT_TOUCHPOINT, 14)  # more than a page shows
    make(org, AlertKind.KPI_OFF_TRACK, 3)
    make(org, AlertKind.SME_LATE, SHOWN_PER_RULE)  # exactly a page
    make(org, AlertKind.LEARNER_DECLINE, 4, resolved=True)  # resolved: not shown
    make(org, AlertKind.KPI_OFF_TRACK, 15, user=user, start=100)  # acknowledged
    make(org, AlertKind.SME_LATE, 12, user=user, start=200)  # 27 acknowledged in all
    make(org, AlertKind.IMPORT_FAILING, 2, user=user, start=300, resolved=True)
    make(other_org, AlertKind.SENIOR_WITHOUT_TOUCHPOINT, 30)  # someone else's
    make(other_org, AlertKind.IMPORT_FAILING, 5, user=user, start=400)


@pytest.mark.parametrize(
    "kind", ["", AlertKind.SENIOR_WITHOUT_TOUCHPOINT, AlertKind.SME_LATE, "not-a-rule"]
)
def test_one_query_gives_what_the_per_rule_queries_gave(many, org, kind):
    expected = per_rule_reference(org, kind)
    assert one_query(org, kind) == expected
    # The figures themselves, so the comparison cannot pass on two empty pages.
    shown = {k: (len(pks), n) for k, _, pks, n in expected["groups"]}
    long = 14 if kind == AlertKind.SENIOR_WITHOUT_TOUCHPOINT else SHOWN_PER_RULE
    assert shown == {
        AlertKind.SENIOR_WITHOUT_TOUCHPOINT: (long, 14),
        AlertKind.KPI_OFF_TRACK: (3, 3),
        AlertKind.SME_LATE: (SHOWN_PER_RULE, SHOWN_PER_RULE),
    }
    assert expected["open_count"] == 27
    assert (len(expected["acknowledged"]), expected["acknowledged_count"]) == (20, 27)


def test_another_organisation_sees_only_its_own(many, other_org):
    assert one_query(other_org) == per_rule_reference(other_org)
    assert one_query(other_org)["open_count"] == 30
    assert one_query(other_org)["acknowledged_count"] == 5


def test_no_alerts(org):
    assert (
        one_query(org)
        == per_rule_reference(org)
        == {
            "groups": [],
            "acknowledged": [],
            "open_count": 0,
            "acknowledged_count": 0,
        }
    )


def test_the_alerts_are_one_query_with_their_owner_and_acknowledger(
    many, org, django_assert_num_queries
):
    with django_assert_num_queries(1):
        context = dashboard._alerts_context(org)
        for group in context["alert_groups"]:
            for alert in group.alerts:
                _ = alert.owner
        for alert in context["acknowledged_alerts"]:
            _ = alert.acknowledged_by.email
