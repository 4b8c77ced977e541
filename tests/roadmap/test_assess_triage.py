"""Triage decisions as model methods: every allowed transition, and the refused ones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from roadmap import services
from roadmap.models import TrainingRequest, TrainingRequestState, TransitionRefused
from tests.factories import InitiativeFactory, TrainingRequestFactory

pytestmark = pytest.mark.django_db

S = TrainingRequestState


@pytest.fixture(autouse=True)
def _before_fy27():
    """A request is deferred only to a cycle still to come: on this day every FY27
    quarter the tests defer to is."""
    with time_machine.travel(datetime(2026, 11, 28, 9, 0, tzinfo=UTC), tick=True):
        yield


@pytest.fixture
def user(editor_membership):
    return editor_membership.user


@pytest.fixture
def item(org):
    return TrainingRequestFactory(org=org)


def in_state(org, state, roadmap, user) -> TrainingRequest:
    """A request brought to `state` through the methods, as a user would."""
    item = TrainingRequestFactory(org=org)
    if state == S.ASSESSING:
        item.assess(by=user)
    elif state == S.DEFERRED:
        item.defer(cycle=roadmap.cycles.last(), reason="Later.", by=user)
    elif state == S.DECLINED:
        item.decline(reason="No.", by=user)
    elif state == S.DUPLICATE:
        item.mark_duplicate(of=TrainingRequestFactory(org=org), by=user)
    elif state == S.COMMITTED:
        item.commit(initiative=InitiativeFactory(roadmap=roadmap), by=user)
    item.refresh_from_db()
    assert item.state == state
    return item


def decide(item, action, roadmap, user):
    if action == "assess":
        item.assess(by=user)
    elif action == "decline":
        item.decline(reason="Not now.", by=user)
    elif action == "defer":
        item.defer(cycle=roadmap.cycles.last(), reason="Later.", by=user)
    elif action == "duplicate":
        item.mark_duplicate(of=TrainingRequestFactory(org=item.org), by=user)
    elif action == "commit":
        item.commit(initiative=InitiativeFactory(roadmap=roadmap), by=user)


RESULT = {
    "assess": S.ASSESSING,
    "decline": S.DECLINED,
    "defer": S.DEFERRED,
    "duplicate": S.DUPLICATE,
    "commit": S.COMMITTED,
}
ALLOWED = {
    S.NEW: {"assess", "decline", "defer", "duplicate", "commit"},
    S.ASSESSING: {"decline", "defer", "duplicate", "commit"},
    S.DEFERRED: {"assess", "decline", "duplicate", "commit"},
    S.DECLINED: {"assess"},
    S.DUPLICATE: set(),
    S.COMMITTED: set(),
}
CASES = [(state, action) for state in ALLOWED for action in RESULT]


@pytest.mark.parametrize(("state", "action"), CASES)
def test_every_transition(org, roadmap, user, state, action):
    item = in_state(org, state, roadmap, user)
    if action in ALLOWED[state]:
        decide(item, action, roadmap, user)
        item.refresh_from_db()
        assert item.state == RESULT[action]
        assert item.decided_by == user
        assert item.decided_at is not None
    else:
        with pytest.raises(TransitionRefused):
            decide(item, action, roadmap, user)
        item.refresh_from_db()
        assert item.state == state


def test_declining_without_a_reason_is_refused(item, user):
    for reason in ("", "   "):
        with pytest.raises(TransitionRefused, match="reason"):
            item.decline(reason=reason, by=user)
    item.refresh_from_db()
    assert item.state == S.NEW


def test_deferring_needs_a_cycle_and_a_reason(item, roadmap, user):
    with pytest.raises(TransitionRefused):
        item.defer(cycle=roadmap.cycles.first(), reason="", by=user)
    with pytest.raises(TransitionRefused):
        item.defer(cycle=None, reason="Later", by=user)
    item.refresh_from_db()
    assert item.state == S.NEW


def test_a_cycle_of_another_organisation_is_refused(item, other_org, user):
    from tests.factories import RoadmapFactory

    foreign = RoadmapFactory(org=other_org).cycles.first()
    with pytest.raises(TransitionRefused):
        item.defer(cycle=foreign, reason="Later", by=user)


def test_committing_a_declined_request_is_refused(item, roadmap, user):
    item.decline(reason="Not a training problem.", by=user)
    with pytest.raises(TransitionRefused, match="declined request cannot be committed"):
        item.commit(initiative=InitiativeFactory(roadmap=roadmap), by=user)
    with pytest.raises(TransitionRefused):
        services.commit_requests(requests=[item], by=user, title="X", cycle=roadmap.cycles.first())
    item.refresh_from_db()
    assert item.state == S.DECLINED and item.initiative is None


def test_a_request_cannot_be_its_own_duplicate_nor_of_a_duplicate(org, item, user):
    with pytest.raises(TransitionRefused):
        item.mark_duplicate(of=item, by=user)
    dup = TrainingRequestFactory(org=org)
    dup.mark_duplicate(of=TrainingRequestFactory(org=org), by=user)
    with pytest.raises(TransitionRefused, match="original"):
        item.mark_duplicate(of=dup, by=user)


def test_a_duplicate_keeps_its_requester(org, item, user):
    original = TrainingRequestFactory(org=org, requester_name="Lars")
    item.mark_duplicate(of=original, by=user)
    assert list(original.duplicates.values_list("requester_name", flat=True)) == ["Grace Kim"]


def test_reopening_a_declined_request_clears_the_decision(item, user):
    item.decline(reason="No.", by=user)
    item.assess(by=user)
    item.refresh_from_db()
    assert (item.state, item.decision_reason) == (S.ASSESSING, "")


def test_the_database_refuses_a_decline_without_reason(item):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingRequest.objects.filter(pk=item.pk).update(state=S.DECLINED, decision_reason="")


def test_bulk_triage_is_all_or_nothing(org, roadmap, user):
    fresh = TrainingRequestFactory(org=org)
    committed = in_state(org, S.COMMITTED, roadmap, user)
    with pytest.raises(TransitionRefused, match=committed.title):
        services.bulk_triage(requests=[fresh, committed], action="decline", reason="No", by=user)
    fresh.refresh_from_db()
    assert fresh.state == S.NEW
    assert services.bulk_triage(requests=[fresh], action="decline", reason="No", by=user) == 1


def test_bulk_triage_bumps_the_organisation_version_once(org, user):
    """Cached pages go stale with one new version per request, not one per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    requests = [TrainingRequestFactory(org=org) for _ in range(3)]
    before = type(org).objects.get(pk=org.pk).version
    with CaptureQueriesContext(connection) as queries:
        assert services.bulk_triage(requests=requests, action="assess", by=user) == 3
    bumps = [q for q in queries if "version" in q["sql"] and "UPDATE" in q["sql"]]
    assert len(bumps) == 1
    assert type(org).objects.get(pk=org.pk).version == before + 1


def test_a_refused_bulk_triage_bumps_nothing(org, roadmap, user):
    fresh = TrainingRequestFactory(org=org)
    committed = in_state(org, S.COMMITTED, roadmap, user)
    before = type(org).objects.get(pk=org.pk).version
    with pytest.raises(TransitionRefused):
        services.bulk_triage(requests=[fresh, committed], action="decline", reason="No", by=user)
    assert type(org).objects.get(pk=org.pk).version == before


def test_committing_several_requests_makes_one_initiative(org, roadmap, user, person):
    a, b = TrainingRequestFactory(org=org), TrainingRequestFactory(org=org)
    initiative = services.commit_requests(
        requests=[a, b],
        by=user,
        title="Support certification",
        problem="Eight weeks to autonomy.",
        cycle=roadmap.cycles.last(),
        owner=person,
        accountable=person,
    )
    assert initiative.status == "committed"
    assert initiative.roadmap == roadmap
    assert set(initiative.requests.values_list("state", flat=True)) == {S.COMMITTED}
    assert initiative.changes.get().history_change_reason.startswith("Committed from")
