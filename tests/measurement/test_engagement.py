"""Learner engagement's formulas and writes, on hand-counted cases: the monthly active
learner rate, months in the organisation's time zone, duplicates, eligible learners, the
exact rollup, the decline rule, its findings and the dashboard headline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from measurement import engagement
from measurement.engagement import EngagementError
from measurement.models import EligibleLearners, KpiFamily, LearnerEvent, Program, ProgramMonth
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 10, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def ev(key: str, kind: str, at: datetime) -> dict:
    return {"learner_key": key, "event_type": kind, "occurred_at": at}


def utc(month: int, day: int = 10, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def rates(program) -> dict[date, engagement.MonthRate]:
    return {m.month: m for m in engagement.monthly_rates(program)}


# The formula ------------------------------------------------------------------------------


def test_rate_is_distinct_qualifying_learners_over_eligible(program):
    # May: alice launches twice and completes, bob attempts, carol only "viewed" (not a
    # qualifying type by default), dave completes. Eligible: 8.
    engagement.record_events(
        program=program,
        events=[
            ev("alice", "launched", utc(5, 2)),
            ev("alice", "launched", utc(5, 3)),
            ev("alice", "completed", utc(5, 20)),
            ev("bob", "attempted", utc(5, 4)),
            ev("carol", "viewed", utc(5, 5)),
            ev("dave", "completed", utc(5, 6)),
        ],
    )
    engagement.set_eligible(program=program, month=date(2026, 5, 1), count=8)

    may = rates(program)[date(2026, 5, 1)]
    # Active: alice, bob, dave = 3 (carol's "viewed" does not count); 3 / 8.
    assert may.active_learners == 3
    assert may.rate == Decimal(3) / Decimal(8)
    assert may.rate_display == "38\u00a0%"  # 37.5 rounds half to even on the way to a whole %
    # Completers: alice and dave = 2; 2 / 8.
    assert may.completers == 2
    assert may.completion_rate == Decimal("0.25")
    assert may.events == 6
    assert may.events_by_type == {"attempted": 1, "completed": 2, "launched": 2, "viewed": 1}


def test_non_qualifying_events_are_stored_but_do_not_count(program):
    engagement.record_events(
        program=program,
        events=[ev("a", "viewed", utc(5)), ev("b", "commented", utc(5))],
    )
    engagement.set_eligible(program=program, month=date(2026, 5, 1), count=10)
    may = rates(program)[date(2026, 5, 1)]
    assert LearnerEvent.objects.filter(program=program).count() == 2
    assert may.events == 2
    assert may.active_learners == 0
    assert may.rate == 0


def test_zero_eligible_gives_no_rate_and_says_why(program):
    engagement.record_events(program=program, events=[ev("a", "launched", utc(5))])
    engagement.set_eligible(program=program, month=date(2026, 5, 1), count=0)
    may = rates(program)[date(2026, 5, 1)]
    assert may.rate is None
    assert may.completion_rate is None
    assert may.rate_display == "no eligible learners"


def test_a_month_with_eligible_learners_and_no_events_has_a_rate_of_zero(program):
    engagement.set_eligible(program=program, month=date(2026, 4, 1), count=40)
    april = rates(program)[date(2026, 4, 1)]
    assert april.rate == 0
    assert april.active_learners == 0


def test_months_follow_the_organisations_time_zone(org, program):
    org.time_zone = "America/New_York"
    org.save()
    program.refresh_from_db()
    # 23:30 on 31 May in New York is 03:30 on 1 June in UTC: it counts in May.
    late_may = datetime(2026, 5, 31, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    # 00:30 on 1 June in New York (04:30 UTC): June.
    early_june = datetime(2026, 6, 1, 0, 30, tzinfo=ZoneInfo("America/New_York"))
    engagement.record_events(
        program=program,
        events=[ev("a", "launched", late_may), ev("b", "launched", early_june)],
    )
    by_month = rates(program)
    assert by_month[date(2026, 5, 1)].active_learners == 1
    assert by_month[date(2026, 6, 1)].active_learners == 1


def test_months_east_of_utc_too(org, program):
    org.time_zone = "Asia/Tokyo"
    org.save()
    program.refresh_from_db()
    # 22:00 UTC on 30 April is 07:00 on 1 May in Tokyo.
    engagement.record_events(program=program, events=[ev("a", "launched", utc(4, 30, 22))])
    assert list(rates(program)) == [date(2026, 5, 1)]


# Writes -----------------------------------------------------------------------------------


def test_duplicates_are_stored_once_and_a_repeat_changes_nothing(org, program):
    events = [ev("a", "launched", utc(5)), ev("a", "launched", utc(5)), ev("b", "launched", utc(5))]
    first = engagement.record_events(program=program, events=events)
    assert (first.written, first.duplicates, first.rejected) == (2, 1, [])
    version = org.__class__.objects.get(pk=org.pk).version

    again = engagement.record_events(program=program, events=events)

    assert (again.written, again.duplicates) == (0, 3)
    assert LearnerEvent.objects.filter(program=program).count() == 2
    assert rates(program)[date(2026, 5, 1)].active_learners == 2
    assert org.__class__.objects.get(pk=org.pk).version == version  # nothing to rebuild


def test_same_instant_in_another_offset_is_the_same_event(program):
    berlin = datetime(2026, 5, 10, 14, tzinfo=ZoneInfo("Europe/Berlin"))  # 12:00 UTC
    engagement.record_events(program=program, events=[ev("a", "launched", utc(5, 10, 12))])
    result = engagement.record_events(program=program, events=[ev("a", "launched", berlin)])
    assert (result.written, result.duplicates) == (0, 1)


def test_bad_events_are_rejected_with_reasons_and_the_rest_stored(program):
    result = engagement.record_events(
        program=program,
        events=[
            ev("", "launched", utc(5)),
            ev("a", "", utc(5)),
            ev("a", "launched", datetime(2026, 5, 1, 9)),  # noqa: DTZ001 (naive on purpose)
            ev("a", "launched", "yesterday"),
            ev("a", "launched", NOW + timedelta(days=2)),
            {**ev("a", "launched", utc(5)), "statement_id": "not-a-uuid"},
            ev("x" * 65, "launched", utc(5)),
            ev("a", "launched", "0001-01-01T00:00:00+05:00"),  # cannot even be made UTC
            ev("ok", "http://adlnet.gov/expapi/verbs/completed", "2026-05-04T10:00:00+02:00"),
        ],
    )
    assert result.written == 1
    assert [(r.index, r.reason) for r in result.rejected] == [
        (0, "The learner key is missing."),
        (1, "The event type is missing."),
        (2, "The time has no time zone (add Z or an offset such as +02:00)."),
        (3, "The time is missing or not a date and time."),
        (4, "The time is in the future."),
        (5, "The statement id is not a UUID."),
        (6, "The learner key is longer than 64 characters."),
        (7, "The time is not between 1900 and 2100."),
    ]
    stored = LearnerEvent.objects.get(program=program)
    assert stored.event_type == "completed"  # the verb IRI's last segment
    assert stored.occurred_at == utc(5, 4, 8)


def test_events_for_another_organisations_program_are_refused(org, other_org, roadmap):
    theirs = Program.objects.for_initiative(InitiativeFactory(roadmap__org=other_org))
    with pytest.raises(EngagementError, match="another organisation"):
        engagement.record_events(program=theirs, events=[ev("a", "launched", utc(5))], org=org)
    assert not LearnerEvent.objects.exists()


def test_only_the_touched_months_are_recounted(program):
    engagement.record_events(
        program=program, events=[ev("a", "launched", utc(4)), ev("a", "launched", utc(5))]
    )
    # Make April's rollup wrong by hand: a May-only write must leave it alone...
    ProgramMonth.objects.filter(program=program, month=date(2026, 4, 1)).update(events=99)
    result = engagement.record_events(program=program, events=[ev("b", "launched", utc(5, 11))])
    assert result.months == [date(2026, 5, 1)]
    by_month = rates(program)
    assert by_month[date(2026, 4, 1)].events == 99
    assert by_month[date(2026, 5, 1)].events == 2
    # ...and a write in April puts it right again.
    engagement.record_events(program=program, events=[ev("c", "launched", utc(4, 11))])
    assert rates(program)[date(2026, 4, 1)].events == 2


def test_changing_what_counts_recounts_every_month(program):
    engagement.record_events(
        program=program,
        events=[ev("a", "viewed", utc(4)), ev("b", "viewed", utc(5)), ev("c", "launched", utc(5))],
    )
    assert [m.active_learners for m in engagement.monthly_rates(program)] == [0, 1]

    changed = engagement.update_program(
        program=program,
        qualifying_events=["viewed", "launched"],
        completion_event="passed",
        decline_share=Decimal("0.3"),
    )

    assert changed
    assert [m.active_learners for m in engagement.monthly_rates(program)] == [1, 2]
    program.refresh_from_db()
    assert program.qualifying == ["launched", "viewed"]
    assert program.decline_share == Decimal("0.3")


@pytest.mark.parametrize(
    ("qualifying", "completion", "share", "message"),
    [
        ([" ", ""], "completed", Decimal("0.2"), "at least one"),
        (["launched"], "", Decimal("0.2"), "finished"),
        (["launched"], "completed", Decimal("0"), "between"),
        (["launched"], "completed", Decimal("1.5"), "between"),
        (["x" * 51], "completed", Decimal("0.2"), "longer"),
    ],
)
def test_bad_program_settings_are_refused_and_nothing_changes(
    program, qualifying, completion, share, message
):
    with pytest.raises(EngagementError, match=message):
        engagement.update_program(
            program=program,
            qualifying_events=qualifying,
            completion_event=completion,
            decline_share=share,
        )
    program.refresh_from_db()
    assert program.completion_event == "completed"
    assert program.decline_share == Decimal("0.200")


def test_eligible_is_one_row_per_month_and_upserts(program):
    _, changed = engagement.set_eligible(program=program, month=date(2026, 5, 1), count=10)
    assert changed
    _, changed = engagement.set_eligible(program=program, month=date(2026, 5, 1), count=10)
    assert not changed
    engagement.set_eligible(program=program, month=date(2026, 5, 1), count=12)
    assert list(EligibleLearners.objects.values_list("month", "count")) == [(date(2026, 5, 1), 12)]


@pytest.mark.parametrize(
    ("month", "count", "message"),
    [
        (date(2026, 5, 2), 10, "first day"),
        (datetime(2026, 5, 1, tzinfo=UTC), 10, "first day"),
        (date(2026, 5, 1), -1, "negative"),
        (date(2026, 5, 1), "12", "whole number"),
        (date(2026, 5, 1), 10**9, "check the figure"),
    ],
)
def test_bad_eligible_counts_are_refused(program, month, count, message):
    with pytest.raises(EngagementError, match=message):
        engagement.set_eligible(program=program, month=month, count=count)
    assert not EligibleLearners.objects.exists()


# The decline rule -------------------------------------------------------------------------


def _series(program, monthly: list[tuple[int, int, int]]) -> None:
    """(month of 2026, active learners, eligible): `active` distinct learners launch."""
    events = []
    for month, active, eligible in monthly:
        events += [ev(f"l{i}", "launched", utc(month)) for i in range(active)]
        engagement.set_eligible(program=program, month=date(2026, month, 1), count=eligible)
    engagement.record_events(program=program, events=events)


TODAY = date(2026, 7, 10)  # the last complete month is June


def test_down_two_months_running_is_a_decline(program):
    # 50 % → 45 % → 42 %: each fall is under the 20 % threshold, but two in a row.
    _series(program, [(4, 50, 100), (5, 45, 100), (6, 42, 100)])
    found = engagement.decline_findings(program.org, TODAY)
    assert [f.subject for f in found] == [f"program:{program.pk}"]
    assert found[0].state == "2026-06:two-months"
    assert found[0].detail == (
        "Active learner rate 50\u00a0% in April, 45\u00a0% in May, 42\u00a0% in June 2026: "
        "down two months running."
    )
    assert found[0].url.endswith(f"/measurement/programs/{program.pk}/#month-2026-06")
    assert found[0].owner_id == program.initiative.owner_id


def test_one_fall_larger_than_the_threshold_is_a_decline(program):
    # 40 % → 50 % → 35 %: a rise, then a fall of 15/50 = 30 % > 20 %.
    _series(program, [(4, 40, 100), (5, 50, 100), (6, 35, 100)])
    found = engagement.decline_findings(program.org, TODAY)
    assert found[0].state == "2026-06:big-fall"
    assert found[0].detail.endswith("down 30\u00a0% in one month.")


def test_a_fall_within_the_threshold_after_a_rise_is_not_a_decline(program):
    # 40 % → 50 % → 45 %: a fall of 5/50 = 10 %, under 20 %.
    _series(program, [(4, 40, 100), (5, 50, 100), (6, 45, 100)])
    assert engagement.decline_findings(program.org, TODAY) == []


def test_the_threshold_is_the_programs(program):
    program.decline_share = Decimal("0.05")
    program.save()
    _series(program, [(4, 40, 100), (5, 50, 100), (6, 45, 100)])  # 10 % > 5 %
    assert [f.state for f in engagement.decline_findings(program.org, TODAY)] == [
        "2026-06:big-fall"
    ]


def test_a_rise_raises_nothing(program):
    _series(program, [(4, 30, 100), (5, 40, 100), (6, 55, 100)])
    assert engagement.decline_findings(program.org, TODAY) == []


def test_under_three_months_of_data_raises_nothing(program):
    # A fall of 50 %, but only May and June have rates.
    _series(program, [(5, 60, 100), (6, 30, 100)])
    assert engagement.decline_findings(program.org, TODAY) == []


def test_a_month_without_eligible_learners_breaks_the_window(program):
    _series(program, [(4, 60, 100), (5, 50, 0), (6, 20, 100)])
    assert engagement.decline_findings(program.org, TODAY) == []


def test_the_current_month_does_not_count_until_it_is_complete(program):
    # July (today's month) halves, but the last complete month is June: 40, 45, 50 rises.
    _series(program, [(4, 40, 100), (5, 45, 100), (6, 50, 100), (7, 5, 100)])
    assert engagement.decline_findings(program.org, TODAY) == []


def test_another_organisations_decline_is_not_found(program, other_org):
    _series(program, [(4, 50, 100), (5, 45, 100), (6, 42, 100)])
    assert engagement.decline_findings(other_org, TODAY) == []


# The headline -----------------------------------------------------------------------------


def test_headline_weights_programs_by_eligible_learners(org, program, roadmap):
    second = Program.objects.for_initiative(InitiativeFactory(roadmap=roadmap))
    _series(program, [(5, 10, 20), (6, 30, 100)])
    _series(second, [(6, 5, 20)])
    # June: (30 + 5) / (100 + 20) = 35 / 120 = 29.17 %, not the mean of 30 % and 25 %.
    # May: only the first program: 10 / 20 = 50 %.
    [headline] = engagement.headlines(org, TODAY)
    assert headline.family == KpiFamily.LEARNER_ENGAGEMENT
    assert headline.value == Decimal("29.2")
    assert headline.display == "29\u00a0%"
    assert headline.note == "35 of 120 eligible learners, June 2026."
    assert [(p.day, p.value) for p in headline.trend] == [
        (date(2026, 5, 1), 0.5),  # shares: the chart draws them in per cent
        (date(2026, 6, 1), 0.2917),
    ]
    assert headline.url == "/measurement/engagement/"
    assert headline.rule == engagement.ENGAGEMENT_RULE


def test_headline_without_eligible_learners_is_not_computable(org, program):
    engagement.record_events(program=program, events=[ev("a", "launched", utc(6))])
    [headline] = engagement.headlines(org, TODAY)
    assert headline.value is None
    assert headline.display == "not computable"
    assert headline.note == "No eligible learners entered for June 2026."


def test_headline_trend_is_the_last_twelve_complete_months(org, program):
    _series(program, [(6, 1, 10)])
    engagement.set_eligible(program=program, month=date(2025, 6, 1), count=10)  # 13 months ago
    [headline] = engagement.headlines(org, TODAY)
    assert [p.day for p in headline.trend] == [date(2026, 6, 1)]


# Scale data -------------------------------------------------------------------------------


def test_scale_data_builds_programs_events_eligible_and_an_exact_rollup():
    from io import StringIO

    from django.core.management import call_command

    from roadmap.management.commands.scale_data import scale_org
    from tests.roadmap.test_scale_data import TINY

    call_command("scale_data", **{**TINY, "programs": 3, "learner_events": 100}, stdout=StringIO())
    org = scale_org()
    assert Program.objects.for_org(org).count() == 3
    assert LearnerEvent.objects.for_org(org).count() == 100
    # Twelve months of 2026 (the year before the FY27 roadmap) per program.
    months = EligibleLearners.objects.for_org(org).values_list("month", flat=True)
    assert (
        len(months) == 36 and min(months) == date(2026, 1, 1) and max(months) == date(2026, 12, 1)
    )
    rollup = ProgramMonth.objects.for_org(org)
    assert sum(rollup.values_list("events", flat=True)) == 100
    # 100 events over 36 program-months: 28 months of 3 and 8 of 2.
    assert sorted(rollup.values_list("events", flat=True)) == [2] * 8 + [3] * 28
