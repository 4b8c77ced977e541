"""Plan models: what the schema refuses, the one list of stage kinds, reordering, feeds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from roadmap import planning
from roadmap.models import (
    CalendarFeed,
    CapacityEntry,
    InitiativeDependency,
    Sequence,
    SmeAssignment,
    SmeAvailability,
    StageDependency,
    StageKind,
    StageStatus,
    TimeOff,
    WarningAcknowledgement,
)
from roadmap_site.models import Membership
from tests.factories import InitiativeFactory, MembershipFactory, PersonFactory, StageFactory

pytestmark = pytest.mark.django_db


def refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_stage_kinds_and_statuses_are_one_list_shared_with_the_rules():
    assert {
        planning.NEEDS_ANALYSIS,
        planning.CONTENT_CREATION,
        planning.STAKEHOLDER_ALIGNMENT,
        planning.DELIVERY,
        planning.EVALUATION,
        planning.REINFORCEMENT,
    } == set(StageKind.values)
    assert set(StageKind.values) >= planning.LAUNCH_KINDS | planning.STAKEHOLDER_KINDS
    assert planning.NOT_STARTED in StageStatus.values
    assert not hasattr(planning, "EventKind")  # the calendar models say which kinds matter


def test_a_stage_cannot_end_before_it_starts_nor_have_negative_effort(initiative):
    refused(
        lambda: StageFactory(initiative=initiative, start=date(2027, 3, 2), end=date(2027, 3, 1))
    )
    refused(lambda: StageFactory(initiative=initiative, effort_days=Decimal(-1)))
    stage = StageFactory(initiative=initiative, start=date(2027, 3, 1), end=date(2027, 3, 1))
    assert stage.span().start == stage.span().end  # one day is a valid stage


def test_dependencies_are_unique_pairs_and_never_on_themselves(initiative):
    first, second = StageFactory(initiative=initiative), StageFactory(initiative=initiative)
    StageDependency.objects.create(org=initiative.org, predecessor=first, successor=second)
    refused(
        lambda: StageDependency.objects.create(
            org=initiative.org, predecessor=first, successor=second
        )
    )
    refused(
        lambda: StageDependency.objects.create(
            org=initiative.org, predecessor=first, successor=first
        )
    )
    other = InitiativeFactory(roadmap=initiative.roadmap)
    InitiativeDependency.objects.create(org=initiative.org, predecessor=other, successor=initiative)
    refused(
        lambda: InitiativeDependency.objects.create(
            org=initiative.org, predecessor=other, successor=initiative
        )
    )
    refused(
        lambda: InitiativeDependency.objects.create(
            org=initiative.org, predecessor=initiative, successor=initiative
        )
    )


def test_capacity_once_per_person_and_cycle_and_never_negative(roadmap, person):
    q1, q2 = list(roadmap.cycles.all())[:2]
    CapacityEntry.objects.create(org=roadmap.org, person=person, cycle=q1, days=20)
    refused(lambda: CapacityEntry.objects.create(org=roadmap.org, person=person, cycle=q1, days=5))
    refused(lambda: CapacityEntry.objects.create(org=roadmap.org, person=person, cycle=q2, days=-1))


def test_time_off_and_availability_windows(org, person):
    refused(
        lambda: TimeOff.objects.create(
            org=org, person=person, start=date(2027, 3, 5), end=date(2027, 3, 4)
        )
    )
    refused(
        lambda: SmeAvailability.objects.create(
            org=org, person=person, start=date(2027, 3, 5), end=date(2027, 3, 4)
        )
    )
    # Open-ended on either side, or both.
    for start, end in [(None, date(2027, 3, 4)), (date(2027, 3, 5), None), (None, None)]:
        window = SmeAvailability.objects.create(org=org, person=person, start=start, end=end)
        assert window.as_availability() == planning.Availability(person.pk, start, end)


def test_an_sme_is_assigned_once_and_an_acknowledgement_once_per_key(initiative, person):
    SmeAssignment.objects.create(org=initiative.org, initiative=initiative, person=person)
    refused(
        lambda: SmeAssignment.objects.create(
            org=initiative.org, initiative=initiative, person=person
        )
    )
    roadmap = initiative.roadmap
    WarningAcknowledgement.objects.create(org=roadmap.org, roadmap=roadmap, key="k", note="ok")
    refused(
        lambda: WarningAcknowledgement.objects.create(
            org=roadmap.org, roadmap=roadmap, key="k", note="again"
        )
    )


def test_stages_move_up_and_down_and_stop_at_the_ends(initiative):
    a, b, c = (StageFactory(initiative=initiative, position=0) for _ in range(3))  # ties
    assert b.move(up=True)
    order = list(initiative.stages.order_by("position", "pk"))
    assert order == [b, a, c]
    assert not order[0].move(up=True)
    assert not c.move(up=False)


def test_initiatives_move_within_their_cycle_and_sequence_group(roadmap):
    q1 = roadmap.cycles.first()
    first, second = (InitiativeFactory(roadmap=roadmap, cycle=q1) for _ in range(2))
    later = InitiativeFactory(roadmap=roadmap, cycle=q1, sequence=Sequence.LATER)
    assert second.move(up=True)
    assert list(roadmap.initiatives.filter(sequence=Sequence.NOW).order_by("position")) == [
        second,
        first,
    ]
    # Alone in its group: nowhere to go.
    assert not later.move(up=True)


def test_a_feed_token_is_stored_hashed_and_stops_at_revocation_or_leaving(org):
    membership = MembershipFactory(org=org)
    feed, token = CalendarFeed.issue(org=org, user=membership.user)
    assert token not in feed.token_hash
    assert CalendarFeed.find_active(token) == feed
    assert CalendarFeed.find_active(token + "x") is None
    Membership.objects.filter(pk=membership.pk).delete()
    assert CalendarFeed.find_active(token) is None
    MembershipFactory(org=org, user=membership.user)
    assert CalendarFeed.find_active(token) == feed
    feed.revoke()
    assert CalendarFeed.find_active(token) is None


def test_initiative_plan_fields_need_no_justification_but_the_budget_does(initiative):
    from roadmap.models import JustificationRequired

    initiative.status = "committed"
    initiative.save()
    changed = initiative.change(
        by=None,
        approach="reuse",
        reuses="The manager handbook",
        delivery_media=["job_aid", "workshop"],
        sequence=Sequence.NEXT,
    )
    assert set(changed) == {"approach", "reuses", "delivery_media", "sequence"}
    assert initiative.delivery_media_labels == ["Job aid", "Live workshop"]
    with pytest.raises(JustificationRequired):
        initiative.change(by=None, budget=Decimal(9000))


def test_person_from_another_organisation_is_not_an_assignee(initiative, other_org):
    from django.core.exceptions import ValidationError

    stage = StageFactory.build(initiative=initiative, assignee=PersonFactory(org=other_org))
    with pytest.raises(ValidationError):
        stage.full_clean()
