"""The learner event table's integrity without database foreign keys (an import would pay a
lookup per row for them): deleting a program, its initiative or its organisation removes
its events, even those written while the deletion waited; a deleted program refuses new
events; and the import's one-statement recount agrees with the general one."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from measurement import engagement
from measurement.engagement import EngagementError
from measurement.models import LearnerEvent, Program, ProgramMonth
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db


def ev(key: str, kind: str, at: datetime) -> dict:
    return {"learner_key": key, "event_type": kind, "occurred_at": at}


def some_events(program: Program, n: int = 3) -> None:
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    engagement.record_events(
        program=program,
        events=[ev(f"l{i}", "launched", start + timedelta(days=i)) for i in range(n)],
    )


def event_count(program_id: int) -> int:
    with scopes_disabled():
        return LearnerEvent.objects.filter(program_id=program_id).count()


def test_deleting_a_program_deletes_its_events_only(program, other_org):
    other = Program.objects.for_initiative(InitiativeFactory(org=other_org))
    some_events(program)
    some_events(other)
    gone = program.pk
    program.delete()
    assert event_count(gone) == 0
    assert event_count(other.pk) == 3


def test_deleting_the_initiative_or_the_organisation_deletes_the_events(org, program):
    some_events(program)
    gone = program.pk
    program.initiative.delete()
    assert event_count(gone) == 0

    again = Program.objects.for_initiative(InitiativeFactory(org=org))
    some_events(again)
    with scopes_disabled():
        org.delete()
        assert not LearnerEvent.objects.filter(org_id=org.pk).exists()
    assert event_count(again.pk) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_a_program_row_deleted_in_sql_takes_its_events(program):
    # What Django's collector cannot see: events committed by an import while the
    # deletion waited for the program's lock. The row trigger removes them all the same.
    some_events(program)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM measurement_programmonth WHERE program_id = %s", [program.pk])
        cursor.execute("DELETE FROM measurement_program WHERE id = %s", [program.pk])
    assert event_count(program.pk) == 0


def test_a_deleted_program_refuses_new_events(program):
    stale = Program.objects.select_related("org").get(pk=program.pk)
    Program.objects.filter(pk=program.pk).delete()
    with pytest.raises(EngagementError, match="no longer exists"):
        engagement.record_events(
            program=stale, events=[ev("a", "launched", datetime(2026, 3, 1, tzinfo=UTC))]
        )
    assert event_count(program.pk) == 0


def test_the_imports_recount_agrees_with_the_general_one(org, program):
    # A zone with daylight saving, events on the months' local edges, several types,
    # non-default qualifying events and completion: both recounts give the same rows.
    org.time_zone = "America/New_York"
    org.save()
    program = Program.objects.select_related("org").get(pk=program.pk)
    engagement.update_program(
        program=program,
        qualifying_events=["launched", "passed"],
        completion_event="passed",
        decline_share=program.decline_share,
    )
    program.refresh_from_db()
    rng = random.Random(7)
    kinds = ["launched", "passed", "viewed", "attempted"]
    start = datetime(2026, 1, 31, 23, tzinfo=UTC)
    events = [
        ev(f"k{rng.randrange(40)}", rng.choice(kinds), start + timedelta(hours=rng.randrange(3000)))
        for _ in range(600)
    ]
    engagement.record_events(program=program, events=events)
    months = sorted({engagement.month_of(e["occurred_at"], org.zone) for e in events})

    def rollup() -> list[tuple]:
        return list(
            ProgramMonth.objects.filter(program=program)
            .order_by("month")
            .values_list("month", "active_learners", "completers", "events", "events_by_type")
        )

    general = rollup()
    assert len(general) == len(months) >= 4
    ProgramMonth.objects.filter(program=program).update(
        active_learners=0, completers=0, events=0, events_by_type={}
    )
    ProgramMonth.objects.filter(program=program, month=months[0]).delete()
    engagement.recount_added_months(program, months)
    assert rollup() == general
    # Only the months asked for are touched.
    ProgramMonth.objects.filter(program=program).update(events=0)
    engagement.recount_added_months(program, [date(2026, 3, 1)])
    assert [row[3] > 0 for row in rollup()] == [m == date(2026, 3, 1) for m in months]
