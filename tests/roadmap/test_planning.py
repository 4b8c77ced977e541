"""The Plan phase's pure rules. Expected values are worked out by hand in the comments;
2027 calendar: Mon 4 Jan, Mon 1 Feb, Mon 1 Mar, Mon 29 Mar, Thu 1 Apr, Mon 28 Jun."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from roadmap.planning import (
    Availability,
    CalendarConflict,
    CalendarEvent,
    CalendarRule,
    CapacityEntry,
    CycleSpan,
    Dependency,
    DependencyCycle,
    DependencyViolation,
    NoSmeBeforeBuild,
    SmeAssignment,
    SmeAvailabilityConflict,
    StageSpan,
    TimeOff,
    calendar_conflicts,
    capacity_per_cycle,
    contains,
    dependency_conflicts,
    overlaps,
    plan_warnings,
    sme_conflicts,
    spread_effort,
)

Q1 = CycleSpan(1, "Q1", date(2027, 1, 1), date(2027, 3, 31))
Q2 = CycleSpan(2, "Q2", date(2027, 4, 1), date(2027, 6, 30))
CYCLES = [Q2, Q1]  # out of order on purpose: results come back in date order


def d(month: int, day: int, year: int = 2027) -> date:
    return date(year, month, day)


MAR_1, MAR_5 = date(2027, 3, 1), date(2027, 3, 5)


def stage(
    id=1,
    start=MAR_1,
    end=MAR_5,
    effort="5",
    kind="content_creation",
    initiative=10,
    assignee=None,
    status="not_started",
) -> StageSpan:
    return StageSpan(id, initiative, kind, start, end, D(effort), assignee, status)


# Date ranges ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((d(3, 1), d(3, 5)), (d(3, 5), d(3, 9)), True),  # touching: share 5 March
        ((d(3, 5), d(3, 9)), (d(3, 1), d(3, 5)), True),  # touching, the other way round
        ((d(3, 1), d(3, 4)), (d(3, 5), d(3, 9)), False),  # adjacent days, no shared day
        ((d(3, 5), d(3, 9)), (d(3, 1), d(3, 4)), False),
        ((d(3, 1), d(3, 31)), (d(3, 10), d(3, 12)), True),  # containment
        ((d(3, 3), d(3, 3)), (d(3, 3), d(3, 3)), True),  # the same single day
        ((None, d(3, 5)), (d(3, 5), d(3, 9)), True),  # open start, touching
        ((None, d(3, 4)), (d(3, 5), None), False),  # open on both outer sides, apart
        ((d(3, 9), None), (d(3, 1), d(3, 9)), True),  # open end, touching
        ((d(3, 10), None), (d(3, 1), d(3, 9)), False),
        ((None, None), (d(3, 1), d(3, 9)), True),  # always
        ((None, None), (None, None), True),
    ],
)
def test_overlaps_inclusive_and_open_ended(a, b, expected):
    assert overlaps(*a, *b) is expected
    assert overlaps(*b, *a) is expected


@pytest.mark.parametrize(
    ("start", "end", "day", "expected"),
    [
        (d(3, 1), d(3, 5), d(3, 1), True),
        (d(3, 1), d(3, 5), d(3, 5), True),
        (d(3, 1), d(3, 5), d(2, 28), False),
        (d(3, 1), d(3, 5), d(3, 6), False),
        (None, d(3, 5), d(1, 1, 1990), True),
        (d(3, 1), None, d(12, 31, 2099), True),
    ],
)
def test_contains_includes_both_ends(start, end, day, expected):
    assert contains(start, end, day) is expected


# Spreading effort -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "effort", "expected"),
    [
        # Mon 4 - Fri 8 Jan: five working days, all in Q1.
        (d(1, 4), d(1, 8), "5", {1: D("5")}),
        # Mon 4 - Sun 10 Jan: the weekend carries nothing.
        (d(1, 4), d(1, 10), "5", {1: D("5")}),
        # Mon 29 Mar - Fri 2 Apr: Mon-Wed in Q1 (3 days), Thu-Fri in Q2 (2 days).
        (d(3, 29), d(4, 2), "10", {1: D("6"), 2: D("4")}),
        (d(3, 29), d(4, 2), "1", {1: D("0.6"), 2: D("0.4")}),
        # Wed 31 Mar - Fri 2 Apr: 1 : 2. 100 hundredths → 33 r1 and 66 r2; the leftover
        # hundredth goes to the larger remainder, Q2.
        (d(3, 31), d(4, 2), "1", {1: D("0.33"), 2: D("0.67")}),
        # Tue 30 Mar - Fri 2 Apr: 2 : 2 of a single hundredth; the tie goes to the earlier.
        (d(3, 30), d(4, 2), "0.01", {1: D("0.01"), 2: D("0")}),
        # An estimate finer than 0.01 keeps its precision: 1001 thousandths at 1 : 2 →
        # 333 r2 and 667 r1; the leftover thousandth goes to Q1.
        (d(3, 31), d(4, 2), "1.001", {1: D("0.334"), 2: D("0.667")}),
        # Mon 28 Jun - Fri 2 Jul: 3 days in Q2, 2 days after the last cycle (None).
        (d(6, 28), d(7, 2), "10", {2: D("6"), None: D("4")}),
        # Entirely outside the cycles.
        (d(7, 5), d(7, 9), "3", {None: D("3")}),
        # Weekend-only stage (Sat 2 - Sun 3 Jan): no working day, so its calendar days.
        (d(1, 2), d(1, 3), "2", {1: D("2")}),
        # No effort: the cycles it covers get zero.
        (d(3, 29), d(4, 2), "0", {1: D("0"), 2: D("0")}),
    ],
)
def test_spread_effort(start, end, effort, expected):
    parts = spread_effort(stage(start=start, end=end, effort=effort), CYCLES)
    assert parts == expected
    assert list(parts) == list(expected)  # date order, None last


def test_spread_effort_weekend_across_a_cycle_boundary():
    # Cycles split on Saturday night: Sat 9 Jan in the first, Sun 10 Jan in the second.
    first = CycleSpan(7, "Sprint 1", d(1, 1), d(1, 9))
    second = CycleSpan(8, "Sprint 2", d(1, 10), d(1, 23))
    parts = spread_effort(stage(start=d(1, 9), end=d(1, 10), effort="3"), [first, second])
    assert parts == {7: D("1.5"), 8: D("1.5")}


def test_three_way_tie_gives_the_leftover_to_the_earliest_cycle():
    cycles = [
        CycleSpan(1, "A", d(1, 4), d(1, 4)),
        CycleSpan(2, "B", d(1, 5), d(1, 5)),
        CycleSpan(3, "C", d(1, 6), d(1, 6)),
    ]
    parts = spread_effort(stage(start=d(1, 4), end=d(1, 6), effort="1"), cycles)
    assert parts == {1: D("0.34"), 2: D("0.33"), 3: D("0.33")}


WEEK = (date(2027, 3, 29), date(2027, 4, 2), "10")  # Mon 29 Mar - Fri 2 Apr


@pytest.mark.parametrize(
    ("time_off", "expected", "span"),
    [
        # Off Mon 29 - Wed 31 Mar: the stage's work happens on Thu 1 and Fri 2 Apr.
        ([TimeOff(7, d(3, 29), d(3, 31))], {2: D("10")}, WEEK),
        # Off Wed 31 Mar only: Mon, Tue in Q1; Thu, Fri in Q2.
        ([TimeOff(7, d(3, 31), d(3, 31))], {1: D("5"), 2: D("5")}, WEEK),
        # Someone else's time off changes nothing: 3 : 2.
        ([TimeOff(8, d(3, 29), d(4, 2))], {1: D("6"), 2: D("4")}, WEEK),
        # Off the whole stage: the effort still lands on its working days, 3 : 2.
        ([TimeOff(7, d(3, 20), d(4, 10))], {1: D("6"), 2: D("4")}, WEEK),
        # Off the whole stage and more; a week that spans the weekend of 27-28 Mar is
        # worked on its working days: Fri 26, Mon 29 - Wed 31 Mar in Q1, Thu 1 Apr in Q2.
        ([TimeOff(7, d(3, 20), d(4, 10))], {1: D("4"), 2: D("1")}, (d(3, 26), d(4, 1), "5")),
        # Time off at the weekend around it changes nothing.
        (
            [TimeOff(7, d(3, 27), d(3, 28)), TimeOff(7, d(4, 3), d(4, 4))],
            {1: D("6"), 2: D("4")},
            WEEK,
        ),
    ],
)
def test_spread_effort_skips_the_assignees_time_off(time_off, expected, span):
    start, end, effort = span
    work = stage(start=start, end=end, effort=effort, assignee=7)
    assert spread_effort(work, CYCLES, time_off) == expected


def test_time_off_is_ignored_for_an_unassigned_stage():
    work = stage(start=d(3, 29), end=d(4, 2), effort="10", assignee=None)
    assert spread_effort(work, CYCLES, [TimeOff(7, d(3, 29), d(3, 31))]) == {
        1: D("6"),
        2: D("4"),
    }


@pytest.mark.parametrize(
    "effort", ["0.01", "0.07", "1", "2.5", "3.33", "7", "13.37", "99.99", "250", "0.003"]
)
@pytest.mark.parametrize(
    ("start", "end"),
    [
        (d(1, 1), d(1, 1)),
        (d(3, 30), d(4, 1)),
        (d(3, 1), d(4, 30)),
        (d(2, 15), d(7, 20)),
        (d(12, 20, 2026), d(1, 12)),
    ],
)
def test_spread_effort_parts_sum_exactly(effort, start, end):
    parts = spread_effort(
        stage(start=start, end=end, effort=effort, assignee=7),
        CYCLES,
        [TimeOff(7, d(3, 31), d(4, 5))],
    )
    assert sum(parts.values()) == D(effort)
    assert all(part >= 0 for part in parts.values())


def test_stage_dates_and_effort_are_validated():
    with pytest.raises(ValueError, match="ends before it starts"):
        stage(start=d(3, 5), end=d(3, 4))
    with pytest.raises(ValueError, match="negative effort"):
        stage(effort="-1")


# Capacity -------------------------------------------------------------------------------------


def capacity_scenario():
    stages = [
        # Person 1: 6 + 5 days in Q1 on two initiatives.
        stage(1, d(1, 4), d(1, 8), "6", initiative=100, assignee=1),
        stage(2, d(1, 11), d(1, 15), "5", initiative=200, assignee=1),
        # Person 2: Mon 29 Mar - Fri 2 Apr, 5 days → 3 in Q1, 2 in Q2.
        stage(3, d(3, 29), d(4, 2), "5", initiative=200, assignee=2),
        # Unassigned: 4 days in Q1.
        stage(4, d(1, 4), d(1, 8), "4", initiative=300),
    ]
    capacity = [
        CapacityEntry(1, 1, D("12")),
        CapacityEntry(1, 2, D("10")),
        CapacityEntry(2, 1, D("5")),
        CapacityEntry(2, 99, D("50")),  # a cycle not in view: ignored
    ]
    # Mon 1 - Sun 7 Feb: five working days off.
    time_off = [TimeOff(1, d(2, 1), d(2, 7))]
    return capacity_per_cycle(stages=stages, cycles=CYCLES, capacity=capacity, time_off=time_off)


def test_capacity_rows_per_person_and_cycle():
    result = capacity_scenario()
    assert [cycle.id for cycle in result.cycles] == [1, 2]
    rows = {(load.person_id, load.cycle_id): load for load in result.people}
    assert list(rows) == [(1, 1), (2, 1), (1, 2), (2, 2)]

    one_q1 = rows[1, 1]
    assert one_q1.capacity_days == D("12")
    assert one_q1.time_off_days == 5
    assert one_q1.available_days == D("7")  # 12 - 5
    assert one_q1.planned_days == D("11")  # 6 + 5
    assert one_q1.remaining_days == D("-4")
    assert one_q1.utilisation == D("157.1")  # 11 / 7 = 1.5714…
    assert one_q1.over_allocated
    assert [(load.initiative_id, load.days) for load in one_q1.initiatives] == [
        (100, D("6")),
        (200, D("5")),
    ]

    two_q1 = rows[2, 1]
    assert (two_q1.available_days, two_q1.planned_days) == (D("5"), D("3"))
    assert two_q1.utilisation == D("60.0")
    assert two_q1.remaining_days == D("2")
    assert not two_q1.over_allocated

    one_q2 = rows[1, 2]  # capacity but nothing planned
    assert (one_q2.planned_days, one_q2.utilisation, one_q2.over_allocated) == (
        D("0"),
        D("0.0"),
        False,
    )
    assert one_q2.initiatives == ()

    two_q2 = rows[2, 2]  # planned without any capacity entry
    assert (two_q2.capacity_days, two_q2.planned_days) == (D("0"), D("2"))
    assert two_q2.utilisation is None
    assert two_q2.over_allocated


def test_capacity_team_totals():
    result = capacity_scenario()
    q1, q2 = result.team
    assert q1.cycle_id == 1
    assert q1.capacity_days == D("17")  # 12 + 5
    assert q1.available_days == D("12")  # 7 + 5
    assert q1.unassigned_days == D("4")
    assert q1.planned_days == D("18")  # 11 + 3 + 4 unassigned
    assert q1.remaining_days == D("-6")
    assert q1.utilisation == D("150.0")
    assert q1.over_allocated
    assert q1.over_allocated_people == (1,)

    assert q2.cycle_id == 2
    assert (q2.capacity_days, q2.available_days, q2.planned_days) == (D("10"), D("10"), D("2"))
    assert q2.utilisation == D("20.0")
    assert not q2.over_allocated
    assert q2.over_allocated_people == (2,)
    assert result.outside_cycles_days == D("0")


def test_capacity_helpers_filter_rows():
    result = capacity_scenario()
    assert [(r.person_id, r.cycle_id) for r in result.over_allocated()] == [(1, 1), (2, 2)]
    assert [r.person_id for r in result.for_cycle(2)] == [1, 2]
    assert [r.cycle_id for r in result.for_person(2)] == [1, 2]


def test_over_allocation_causes_biggest_first_then_by_id():
    stages = [
        stage(1, d(1, 4), d(1, 8), "2", initiative=30, assignee=1),
        stage(2, d(1, 4), d(1, 8), "4", initiative=20, assignee=1),
        stage(3, d(1, 11), d(1, 15), "2", initiative=10, assignee=1),
        stage(4, d(1, 18), d(1, 22), "1", initiative=20, assignee=1),  # 20 → 5 in all
    ]
    result = capacity_per_cycle(stages=stages, cycles=[Q1], capacity=[CapacityEntry(1, 1, D(8))])
    (load,) = result.people
    assert load.over_allocated  # 9 > 8
    assert [(c.initiative_id, c.days) for c in load.initiatives] == [
        (20, D("5")),
        (10, D("2")),
        (30, D("2")),
    ]


def test_exactly_full_is_not_over_allocated():
    result = capacity_per_cycle(
        stages=[stage(1, d(1, 4), d(1, 8), "8", assignee=1)],
        cycles=[Q1],
        capacity=[CapacityEntry(1, 1, D(8))],
    )
    (load,) = result.people
    assert (load.remaining_days, load.utilisation, load.over_allocated) == (
        D("0"),
        D("100.0"),
        False,
    )


@pytest.mark.parametrize(
    ("time_off", "capacity", "off_days", "available"),
    [
        # Two overlapping entries, Mon 1 - Fri 5 and Wed 3 - Tue 9 Feb: Feb 1-5, 8, 9 = 7.
        ([TimeOff(1, d(2, 1), d(2, 5)), TimeOff(1, d(2, 3), d(2, 9))], "20", 7, "13"),
        # A weekend off costs no working day.
        ([TimeOff(1, d(2, 6), d(2, 7))], "20", 0, "20"),
        # More time off than capacity: nothing left, never negative.
        ([TimeOff(1, d(2, 1), d(2, 5))], "3", 5, "0"),
        # Time off straddling the end of Q1 (Mon 29 Mar - Fri 2 Apr) counts 3 days in Q1.
        ([TimeOff(1, d(3, 29), d(4, 2))], "20", 3, "17"),
        # Someone else's time off.
        ([TimeOff(2, d(2, 1), d(2, 5))], "20", 0, "20"),
    ],
)
def test_capacity_is_gross_minus_working_days_off(time_off, capacity, off_days, available):
    result = capacity_per_cycle(
        stages=[], cycles=[Q1], capacity=[CapacityEntry(1, 1, D(capacity))], time_off=time_off
    )
    (load,) = result.people
    assert load.time_off_days == off_days
    assert load.available_days == D(available)


def test_time_off_moves_planned_effort_into_the_next_cycle():
    # Off Mon 29 - Wed 31 Mar: a Mon 29 Mar - Fri 2 Apr stage is all worked in Q2.
    result = capacity_per_cycle(
        stages=[stage(1, d(3, 29), d(4, 2), "4", assignee=1)],
        cycles=CYCLES,
        capacity=[CapacityEntry(1, 1, D(10)), CapacityEntry(1, 2, D(10))],
        time_off=[TimeOff(1, d(3, 29), d(3, 31))],
    )
    planned = {load.cycle_id: load.planned_days for load in result.people}
    assert planned == {1: D("0"), 2: D("4")}


def test_effort_outside_every_cycle_is_reported_not_lost():
    result = capacity_per_cycle(
        stages=[stage(1, d(6, 28), d(7, 2), "10", assignee=1)], cycles=CYCLES
    )
    assert result.outside_cycles_days == D("4")  # Thu 1, Fri 2 Jul
    assert [(r.cycle_id, r.planned_days) for r in result.people] == [(2, D("6"))]


# Calendar conflicts ---------------------------------------------------------------------------

REVIEWS = CalendarEvent(
    1, "Performance reviews", "performance_review", d(3, 1), d(3, 5), avoid_launches=True
)
HIRING = CalendarEvent(
    2, "Hiring wave", "hiring_wave", d(4, 5), d(4, 16), needs_stakeholders_conflict=True
)
BOTH = CalendarEvent(
    3,
    "Year-end reviews",
    "performance_review",
    d(6, 7),
    d(6, 11),
    avoid_launches=True,
    needs_stakeholders_conflict=True,
)
PLAIN = CalendarEvent(4, "Offsite", "other", d(3, 1), d(6, 30))


@pytest.mark.parametrize(
    ("kind", "start", "end", "expected"),
    [
        # Touching the first day of the reviews.
        ("delivery", d(2, 22), d(3, 1), [("launch", 1, d(3, 1), d(3, 1))]),
        # Touching the last day.
        ("delivery", d(3, 5), d(3, 12), [("launch", 1, d(3, 5), d(3, 5))]),
        ("delivery", d(2, 1), d(3, 31), [("launch", 1, d(3, 1), d(3, 5))]),
        # Adjacent on either side: no shared day.
        ("delivery", d(2, 22), d(2, 28), []),
        ("delivery", d(3, 6), d(3, 12), []),
        # Content creation during reviews is fine: it is no launch.
        ("content_creation", d(3, 1), d(3, 5), []),
        # Stakeholder alignment in the hiring wave, touching its last day.
        ("stakeholder_alignment", d(4, 16), d(4, 20), [("stakeholders", 2, d(4, 16), d(4, 16))]),
        ("stakeholder_alignment", d(4, 12), d(4, 20), [("stakeholders", 2, d(4, 12), d(4, 16))]),
        ("stakeholder_alignment", d(4, 17), d(4, 20), []),
        # A delivery needs stakeholders too.
        ("delivery", d(4, 1), d(4, 5), [("stakeholders", 2, d(4, 5), d(4, 5))]),
        # Reviews do not flag stakeholders here (flag off), and evaluation needs no one.
        ("stakeholder_alignment", d(3, 1), d(3, 5), []),
        ("evaluation", d(4, 5), d(4, 16), []),
        ("needs_analysis", d(4, 5), d(4, 16), []),
        # An event with both flags gives two warnings to a delivery.
        (
            "delivery",
            d(6, 10),
            d(6, 18),
            [("launch", 3, d(6, 10), d(6, 11)), ("stakeholders", 3, d(6, 10), d(6, 11))],
        ),
    ],
)
def test_calendar_conflicts(kind, start, end, expected):
    warnings = calendar_conflicts(
        [stage(12, start, end, kind=kind, initiative=4)], [REVIEWS, HIRING, BOTH, PLAIN]
    )
    assert [(w.rule, w.event_id, w.start, w.end) for w in warnings] == expected
    for warning in warnings:
        assert warning.stage_id == 12
        assert warning.initiative_id == 4


def test_calendar_conflict_names_stage_and_event_with_a_stable_key():
    (warning,) = calendar_conflicts([stage(12, d(3, 1), d(3, 2), kind="delivery")], [REVIEWS])
    assert warning == CalendarConflict(
        CalendarRule.LAUNCH, 12, 10, 1, "Performance reviews", d(3, 1), d(3, 2)
    )
    assert warning.key == "calendar-launch:stage=12:event=1"
    (other,) = calendar_conflicts(
        [stage(12, d(4, 5), d(4, 6), kind="stakeholder_alignment")], [HIRING]
    )
    assert other.key == "calendar-stakeholders:stage=12:event=2"


@pytest.mark.parametrize(
    ("event", "start", "end", "expected"),
    [
        # Reviews each March from 2026: the 2027 occurrence is 1-5 Mar 2027.
        ((d(3, 1, 2026), d(3, 5, 2026), True), d(3, 3), d(3, 10), [(d(3, 3), d(3, 5))]),
        ((d(3, 1, 2026), d(3, 5, 2026), False), d(3, 3), d(3, 10), []),
        # No occurrence before the first one.
        ((d(3, 1, 2026), d(3, 5, 2026), True), d(3, 3, 2025), d(3, 10, 2025), []),
        # Across new year: the 2026 occurrence (28 Dec 2026 - 3 Jan 2027) reaches 2 Jan.
        ((d(12, 28, 2025), d(1, 3, 2026), True), d(1, 2), d(1, 8), [(d(1, 2), d(1, 3))]),
        # 29 February falls on the 28th in a common year.
        (
            (d(2, 29, 2028), d(2, 29, 2028), True),
            d(2, 28, 2029),
            d(3, 2, 2029),
            [(d(2, 28, 2029), d(2, 28, 2029))],
        ),
    ],
)
def test_yearly_events_conflict_every_year(event, start, end, expected):
    first, last, yearly = event
    review = CalendarEvent(9, "Reviews", "performance_review", first, last, True, False, yearly)
    warnings = calendar_conflicts([stage(1, start, end, kind="delivery")], [review])
    assert [(w.start, w.end) for w in warnings] == expected


# SMEs -----------------------------------------------------------------------------------------

BUILD = stage(50, d(3, 1), d(3, 12), kind="content_creation", initiative=10)  # Mon 1 - Fri 12


@pytest.mark.parametrize(
    ("windows", "gaps"),
    [
        ([(d(3, 1), d(3, 12))], ()),  # exactly the stage: touching ends are inside
        ([(None, None)], ()),
        ([(None, d(3, 12))], ()),  # open start
        ([(d(3, 1), None)], ()),  # open end
        ([(None, d(3, 11))], ((d(3, 12), d(3, 12)),)),
        ([(d(3, 2), None)], ((d(3, 1), d(3, 1)),)),
        # Two windows with only the weekend (6-7 Mar) between them.
        ([(d(3, 1), d(3, 5)), (d(3, 8), d(3, 12))], ()),
        # Friday 5 Mar missing: the gap Fri-Sun is trimmed to its working day.
        ([(d(3, 1), d(3, 4)), (d(3, 8), d(3, 12))], ((d(3, 5), d(3, 5)),)),
        ([(d(3, 1), d(3, 3)), (d(3, 10), None)], ((d(3, 4), d(3, 9)),)),
        # Available up to Saturday 6: Sunday is not working, the gap is Mon 8 - Fri 12.
        ([(d(3, 1), d(3, 6))], ((d(3, 8), d(3, 12)),)),
        ([(d(4, 1), d(4, 30))], ((d(3, 1), d(3, 12)),)),
        ([(None, d(2, 26)), (d(3, 15), None)], ((d(3, 1), d(3, 12)),)),
    ],
)
def test_content_creation_outside_sme_availability(windows, gaps):
    availability = [Availability(7, start, end) for start, end in windows]
    warnings = sme_conflicts([BUILD], [SmeAssignment(10, 7)], availability)
    found = [w for w in warnings if isinstance(w, SmeAvailabilityConflict)]
    if not gaps:
        assert found == []
    else:
        assert found == [SmeAvailabilityConflict(50, 10, 7, gaps)]
        assert found[0].key == "sme-availability:stage=50:person=7"


def test_only_the_unavailable_sme_is_named():
    availability = [Availability(7, d(3, 1), d(3, 31)), Availability(8, d(4, 1), None)]
    warnings = sme_conflicts([BUILD], [SmeAssignment(10, 7), SmeAssignment(10, 8)], availability)
    assert [(w.person_id, w.gaps) for w in warnings] == [(8, ((d(3, 1), d(3, 12)),))]


def test_an_sme_without_recorded_availability_is_not_flagged():
    warnings = sme_conflicts([BUILD], [SmeAssignment(10, 7)], [Availability(8, d(4, 1), d(4, 2))])
    assert warnings == []


def test_other_stages_and_other_initiatives_are_not_checked_against_availability():
    delivery = stage(51, d(3, 1), d(3, 12), kind="delivery", initiative=10)
    elsewhere = stage(52, d(3, 1), d(3, 12), kind="content_creation", initiative=11)
    warnings = sme_conflicts(
        [delivery, elsewhere, BUILD],
        [SmeAssignment(10, 7)],
        [Availability(7, d(3, 1), d(3, 31))],
    )
    # Initiative 11's build has no SME: only the "no SME" warning, for it.
    assert warnings == [NoSmeBeforeBuild(11, 52, d(3, 1), False)]


@pytest.mark.parametrize(
    ("smes", "windows", "earlier_stages", "expected"),
    [
        # No SME at all.
        ([], [], [], (False,)),
        # The SME's window starts the same day as content creation: involved.
        ([7], [(d(3, 1), d(3, 31))], [], None),
        ([7], [(d(2, 28), d(3, 31))], [], None),
        ([7], [(None, d(3, 31))], [], None),
        ([7], [(d(1, 1), d(1, 31))], [], None),  # available earlier (the proxy counts it)
        # Only available the day after: not involved before the build.
        ([7], [(d(3, 2), d(3, 31))], [], (True,)),
        # Two windows, the earlier one starting before: involved.
        ([7], [(d(3, 20), None), (d(2, 1), d(2, 5))], [], None),
        # Assigned without recorded availability: counts as available.
        ([7], [], [], None),
        # Available later, but works on the needs analysis before the build.
        ([7], [(d(3, 2), None)], [("needs_analysis", d(2, 15), d(2, 26), 7)], None),
        # …starting the same day as the build still counts.
        ([7], [(d(3, 2), None)], [("needs_analysis", d(3, 1), d(3, 3), 7)], None),
        # …but not when it starts after the build.
        ([7], [(d(3, 2), None)], [("needs_analysis", d(3, 2), d(3, 3), 7)], (True,)),
        # Someone who is not an SME of the initiative does not count.
        ([], [], [("needs_analysis", d(2, 15), d(2, 26), 8)], (False,)),
    ],
)
def test_no_sme_before_content_creation(smes, windows, earlier_stages, expected):
    stages = [BUILD] + [
        stage(60 + i, start, end, kind=kind, initiative=10, assignee=person)
        for i, (kind, start, end, person) in enumerate(earlier_stages)
    ]
    availability = [Availability(person, s, e) for person in smes for s, e in windows]
    warnings = [
        w
        for w in sme_conflicts(stages, [SmeAssignment(10, p) for p in smes], availability)
        if isinstance(w, NoSmeBeforeBuild)
    ]
    if expected is None:
        assert warnings == []
    else:
        assert warnings == [NoSmeBeforeBuild(10, 50, d(3, 1), *expected)]
        assert warnings[0].key == "sme-before-build:initiative=10"


def test_no_sme_warning_uses_the_first_content_creation_stage():
    later = stage(50, d(3, 1), d(3, 12), kind="content_creation", initiative=10)
    first = stage(51, d(2, 1), d(2, 12), kind="content_creation", initiative=10)
    warnings = sme_conflicts(
        [later, first], [SmeAssignment(10, 7)], [Availability(7, d(2, 15), None)]
    )
    no_sme = [w for w in warnings if isinstance(w, NoSmeBeforeBuild)]
    assert no_sme == [NoSmeBeforeBuild(10, 51, d(2, 1), True)]


def test_an_initiative_without_content_creation_needs_no_sme():
    stages = [stage(1, kind="needs_analysis"), stage(2, d(4, 1), d(4, 9), kind="delivery")]
    assert sme_conflicts(stages, [], []) == []


# Dependencies ---------------------------------------------------------------------------------

A = stage(1, d(3, 1), d(3, 5), kind="content_creation")  # Mon 1 - Fri 5 Mar


@pytest.mark.parametrize(
    ("successor_start", "violated"),
    [
        (d(3, 8), False),
        (d(3, 6), False),  # the day after the predecessor's last day
        (d(3, 5), True),  # equal dates: both on 5 March
        (d(3, 3), True),
        (d(2, 1), True),
    ],
)
def test_finish_to_start_dependency(successor_start, violated):
    b = stage(2, successor_start, d(3, 19), kind="delivery")
    warnings = dependency_conflicts([Dependency(1, 2)], [A, b])
    if violated:
        assert warnings == [DependencyViolation("stage", 1, 2, d(3, 5), successor_start)]
        assert warnings[0].key == "dependency:stage=1:stage=2"
    else:
        assert warnings == []


def test_a_loop_is_reported_and_terminates():
    b = stage(2, d(3, 8), d(3, 12), kind="delivery")  # A → B is fine; B → A cannot be
    warnings = dependency_conflicts([Dependency(1, 2), Dependency(2, 1)], [A, b])
    assert warnings == [
        DependencyViolation("stage", 2, 1, d(3, 12), d(3, 1)),
        DependencyCycle("stage", (1, 2)),
    ]
    assert warnings[1].key == "dependency-cycle:stage=1,2"


def test_self_dependency_is_a_loop_not_a_date_violation():
    assert dependency_conflicts([Dependency(1, 1)], [A]) == [DependencyCycle("stage", (1,))]


def test_loops_are_grouped_and_tails_left_out():
    stages = [stage(i, d(3, i), d(3, i), kind="delivery") for i in range(1, 8)]
    dependencies = [
        Dependency(1, 2),
        Dependency(2, 3),
        Dependency(3, 1),  # loop 1 → 2 → 3 → 1
        Dependency(3, 4),  # a tail out of the loop
        Dependency(5, 6),
        Dependency(6, 5),  # a second loop
        Dependency(6, 7),
    ]
    cycles = [
        w for w in dependency_conflicts(dependencies, stages) if isinstance(w, DependencyCycle)
    ]
    assert cycles == [DependencyCycle("stage", (1, 2, 3)), DependencyCycle("stage", (5, 6))]


def test_a_long_chain_is_checked_without_recursion():
    days = [d(1, 1, 2020) + timedelta(days=i) for i in range(3000)]  # one stage a day
    stages = [stage(i, day, day) for i, day in enumerate(days)]
    chain = [Dependency(i, i + 1) for i in range(2999)]
    assert dependency_conflicts(chain, stages) == []
    closed = [*chain, Dependency(2999, 0)]
    warnings = dependency_conflicts(closed, stages)
    assert DependencyCycle("stage", tuple(range(3000))) in warnings


def test_duplicates_and_unknown_ids_are_ignored():
    b = stage(2, d(3, 5), d(3, 9), kind="delivery")
    warnings = dependency_conflicts(
        [Dependency(1, 2), Dependency(1, 2), Dependency(1, 99), Dependency(98, 2)], [A, b]
    )
    assert warnings == [DependencyViolation("stage", 1, 2, d(3, 5), d(3, 5))]


def test_initiative_dependencies_use_the_span_of_their_stages():
    stages = [
        stage(1, d(3, 1), d(3, 5), initiative=10),
        stage(2, d(3, 8), d(3, 12), initiative=10),  # initiative 10: 1 - 12 Mar
        stage(3, d(3, 12), d(3, 19), initiative=20),  # initiative 20 starts 12 Mar
        stage(4, d(3, 15), d(3, 19), initiative=30),  # initiative 30 starts 15 Mar
    ]
    warnings = dependency_conflicts(
        [
            Dependency(10, 20, "initiative"),
            Dependency(10, 30, "initiative"),
            Dependency(10, 40, "initiative"),  # no stages: no dates, skipped
        ],
        stages,
    )
    assert warnings == [DependencyViolation("initiative", 10, 20, d(3, 12), d(3, 12))]
    assert warnings[0].key == "dependency:initiative=10:initiative=20"


def test_stage_and_initiative_ids_do_not_mix():
    # Stages 1 and 2 exist; initiatives 1 and 2 do not.
    b = stage(2, d(3, 1), d(3, 2), initiative=10)
    assert dependency_conflicts([Dependency(1, 2, "initiative")], [A, b]) == []


# All together ---------------------------------------------------------------------------------


def test_plan_warnings_collects_every_rule_with_unique_keys():
    stages = [
        stage(1, d(2, 1), d(2, 26), kind="content_creation", initiative=10),
        stage(2, d(2, 26), d(3, 3), kind="delivery", initiative=10),
    ]
    warnings = plan_warnings(
        stages=stages,
        events=[REVIEWS],
        sme_assignments=[SmeAssignment(10, 7)],
        availability=[Availability(7, d(2, 8), None)],
        dependencies=[Dependency(1, 2)],
    )
    assert [w.key for w in warnings] == [
        "calendar-launch:stage=2:event=1",
        "sme-availability:stage=1:person=7",
        "sme-before-build:initiative=10",
        "dependency:stage=1:stage=2",
    ]
