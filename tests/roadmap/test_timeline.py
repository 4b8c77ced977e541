"""The timeline and capacity figures: what is drawn, checked on the figure's JSON."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest

from roadmap.planning import (
    CalendarEvent,
    CapacityEntry,
    CycleSpan,
    Dependency,
    StageSpan,
    capacity_per_cycle,
)
from roadmap.timeline import TimelineRow, capacity_figure, timeline_figure

DAY_MS = 86_400_000
Q1 = CycleSpan(1, "Q1 FY27", date(2027, 1, 1), date(2027, 3, 31))
Q2 = CycleSpan(2, "Q2 FY27", date(2027, 4, 1), date(2027, 6, 30))
REVIEWS = CalendarEvent(
    1, "Performance reviews", "performance_review", date(2027, 3, 1), date(2027, 3, 5), True
)
HIRING = CalendarEvent(
    2, "Hiring wave", "hiring_wave", date(2027, 4, 5), date(2027, 4, 16), False, True
)
TODAY = date(2027, 3, 10)


def row(kind, id, label, start, end, status, owner=""):
    return TimelineRow(kind, id, label, date(2027, *start), date(2027, *end), status, owner)


ROWS = [
    row("initiative", 10, "Manager onboarding", (2, 1), (4, 30), "committed", "Ana"),
    row("stage", 1, "Content creation", (2, 1), (3, 5), "in_progress", "Ana"),
    row("stage", 2, "Delivery", (3, 8), (4, 30), "not_started", "Ben"),
    row("initiative", 20, "Sales enablement", (3, 1), (5, 14), "committed"),
    row("stage", 3, "Delivery", (5, 3), (5, 14), "not_started"),
]


def figure(**kwargs) -> dict:
    arguments = {"rows": ROWS, "cycles": [Q1, Q2], "events": [REVIEWS, HIRING], "today": TODAY}
    return timeline_figure(**(arguments | kwargs))


def bars(fig: dict) -> list[tuple[int, str, float, str]]:
    """(y position, start, duration in ms, trace name) for every bar drawn."""
    return sorted(
        (y, base, x, trace["name"])
        for trace in fig["data"]
        if trace["type"] == "bar"
        for y, base, x in zip(trace["y"], trace["base"], trace["x"], strict=True)
    )


def test_one_bar_per_row_in_the_order_given():
    drawn = bars(figure())
    assert [y for y, *_ in drawn] == [0, 1, 2, 3, 4]
    ticks = figure()["layout"]["yaxis"]
    assert ticks["tickvals"] == [0, 1, 2, 3, 4]
    # Initiatives in bold, stages plain; two "Delivery" rows stay two rows.
    assert ticks["ticktext"] == [
        "<b>Manager onboarding</b>",
        "Content creation",
        "Delivery",
        "<b>Sales enablement</b>",
        "Delivery",
    ]
    # Top to bottom: the y axis runs downwards.
    low, high = ticks["range"]
    assert low > high


def test_bars_span_whole_days_inclusive():
    drawn = {y: (base, x) for y, base, x, _ in bars(figure())}
    # 1 Feb - 5 Mar 2027: 28 days of February + 5 of March = 33 days.
    assert drawn[1] == ("2027-02-01", 33 * DAY_MS)
    # 3 - 14 May: 12 days.
    assert drawn[4] == ("2027-05-03", 12 * DAY_MS)
    single = timeline_figure(
        [TimelineRow("stage", 9, "Launch", date(2027, 3, 3), date(2027, 3, 3), "done")],
        [Q1],
        [],
        TODAY,
    )
    assert bars(single)[0][1:3] == ("2027-03-03", DAY_MS)


def test_colour_by_status_makes_one_legend_entry_per_status():
    fig = figure()
    names = {trace["name"]: trace for trace in fig["data"]}
    assert set(names) == {"Committed", "In progress", "Not started"}
    assert sorted(names["Committed"]["y"]) == [0, 3]
    assert sorted(names["Not started"]["y"]) == [2, 4]
    assert names["Committed"]["marker"]["color"] == "#2f6fde"
    colours = {trace["marker"]["color"] for trace in fig["data"]}
    assert len(colours) == 3


def test_colour_by_owner_names_the_unassigned():
    fig = figure(colour_by="owner")
    names = {trace["name"]: sorted(trace["y"]) for trace in fig["data"]}
    assert names == {"Ana": [0, 1], "Ben": [2], "Unassigned": [3, 4]}


def test_hover_has_the_full_label_dates_and_owner():
    long_title = "A very long initiative title that cannot fit on the axis"
    fig = timeline_figure(
        [TimelineRow("initiative", 1, long_title, date(2027, 1, 4), date(2027, 1, 8), "committed")],
        [Q1],
        [],
        TODAY,
    )
    (trace,) = fig["data"]
    assert trace["customdata"] == [
        [long_title, "2027-01-04", "2027-01-08", "Committed", "Unassigned"]
    ]
    (tick,) = fig["layout"]["yaxis"]["ticktext"]
    assert tick.endswith("…</b>")
    assert len(tick) < len(long_title)


def test_today_line():
    fig = figure()
    today = [s for s in fig["layout"]["shapes"] if s.get("name") == "Today"]
    assert len(today) == 1
    assert today[0]["type"] == "line"
    assert today[0]["x0"] == today[0]["x1"]
    assert today[0]["x0"].startswith("2027-03-10")
    assert (today[0]["yref"], today[0]["y0"], today[0]["y1"]) == ("paper", 0, 1)
    assert "Today" in [a["text"] for a in fig["layout"]["annotations"]]


def test_no_today_line_when_today_is_out_of_view():
    fig = figure(today=date(2030, 1, 1))
    assert not [s for s in fig["layout"]["shapes"] if s.get("name") == "Today"]
    assert "Today" not in [a["text"] for a in fig["layout"]["annotations"]]


def test_calendar_events_are_named_bands():
    fig = figure()
    bands = {s["name"]: s for s in fig["layout"]["shapes"] if s["type"] == "rect" and "name" in s}
    assert set(bands) == {"Performance reviews", "Hiring wave"}
    reviews = bands["Performance reviews"]
    # 1 - 5 March inclusive: the band runs to the start of 6 March.
    assert (reviews["x0"], reviews["x1"]) == ("2027-03-01", "2027-03-06")
    assert (reviews["xref"], reviews["yref"], reviews["y0"], reviews["y1"]) == ("x", "paper", 0, 1)
    # Avoid-launch events are tinted red, stakeholder conflicts purple.
    assert reviews["fillcolor"].startswith("rgba(201")
    assert bands["Hiring wave"]["fillcolor"].startswith("rgba(142")
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert "Performance reviews" in texts
    assert "Hiring wave" in texts


def test_an_event_name_near_the_right_edge_ends_at_its_band_instead_of_running_off():
    late = CalendarEvent(6, "Year-end performance reviews", "performance_review",
                         date(2027, 6, 21), date(2027, 6, 25), True)  # fmt: skip
    fig = figure(events=[REVIEWS, late])
    labels = {a["name"]: a for a in fig["layout"]["annotations"] if a.get("name") in (
        "Performance reviews", "Year-end performance reviews")}  # fmt: skip
    assert (labels["Performance reviews"]["x"], labels["Performance reviews"]["xanchor"]) == (
        "2027-03-01",
        "left",
    )
    end = labels["Year-end performance reviews"]
    assert (end["x"], end["xanchor"]) == ("2027-06-26", "right")


def test_a_yearly_event_is_drawn_in_the_year_in_view():
    yearly = CalendarEvent(
        5, "Budget recast", "budget_recast", date(2024, 3, 15), date(2024, 3, 19), True, False, True
    )
    fig = figure(events=[yearly])
    (band,) = [s for s in fig["layout"]["shapes"] if s.get("name") == "Budget recast"]
    assert (band["x0"], band["x1"]) == ("2027-03-15", "2027-03-20")


def test_cycles_are_labelled_columns():
    fig = figure()
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert "<b>Q1 FY27</b>" in texts
    assert "<b>Q2 FY27</b>" in texts
    separators = {
        s["x0"] for s in fig["layout"]["shapes"] if s["type"] == "line" and "name" not in s
    }
    assert separators == {"2027-01-01", "2027-04-01"}
    assert fig["layout"]["xaxis"]["type"] == "date"
    start, end = fig["layout"]["xaxis"]["range"]
    assert start < "2027-01-01" and end > "2027-06-30"


def arrows(fig: dict) -> dict[str, list[tuple]]:
    """Dependency trace name → its segments as (from x, from row, to x, to row)."""
    found = {}
    for trace in fig["data"]:
        if trace["type"] == "scatter":
            x, y = trace["x"], trace["y"]
            assert x[2::3] == y[2::3] == [None] * (len(x) // 3)  # segments parted by None
            found[trace["name"]] = [
                (x[i], y[i], x[i + 1], y[i + 1], trace["line"]["color"])
                for i in range(0, len(x), 3)
            ]
    return found


def test_dependencies_are_arrows_red_when_broken():
    deps = [
        Dependency(1, 2),  # ends 5 Mar, next starts 8 Mar: kept
        Dependency(10, 20, "initiative"),  # ends 30 Apr, next starts 1 Mar: broken
        Dependency(1, 99),  # not in the rows (filtered out): not drawn
    ]
    fig = figure(dependencies=deps)
    assert not [a for a in fig["layout"]["annotations"] if a.get("showarrow")]
    found = arrows(fig)
    # From the end of the first bar (start of 6 Mar) on row 1 to the start of row 2.
    (kept,) = found["Waits for"]
    assert kept[:4] == ("2027-03-06", 1, "2027-03-08", 2)
    (broken,) = found["Waits for (dates break it)"]
    assert broken[:4] == ("2027-05-01", 0, "2027-03-01", 3)
    assert kept[4] != broken[4]
    assert broken[4] == "#c0392b"


def test_thousands_of_dependencies_are_two_traces_at_most():
    rows = [
        TimelineRow("stage", i, "Delivery", date(2027, 1, 4), date(2027, 1, 8), "done")
        for i in range(2000)
    ]
    deps = [Dependency(i, i + 1) for i in range(1999)]
    fig = timeline_figure(rows, [Q1], [], TODAY, dependencies=deps)
    scatter = [t for t in fig["data"] if t["type"] == "scatter"]
    assert len(scatter) == 1  # every one starts on the day its predecessor ends: broken
    assert len(arrows(fig)["Waits for (dates break it)"]) == 1999
    assert len(fig["layout"]["annotations"]) < 10


def test_a_successor_starting_on_the_last_day_breaks_the_dependency():
    rows = [
        row("stage", 1, "Content creation", (3, 1), (3, 5), "done"),
        row("stage", 2, "Delivery", (3, 5), (3, 9), "not_started"),  # same day as 1 ends
        row("stage", 3, "Evaluation", (3, 10), (3, 12), "not_started"),  # the day after
    ]
    fig = timeline_figure(rows, [Q1], [], TODAY, dependencies=[Dependency(1, 2), Dependency(2, 3)])
    found = arrows(fig)
    assert [a[1:4:2] for a in found["Waits for (dates break it)"]] == [(0, 1)]
    assert [a[1:4:2] for a in found["Waits for"]] == [(1, 2)]
    assert found["Waits for"][0][4] != "#c0392b"


def test_the_figure_is_plain_json():
    fig = figure(dependencies=[Dependency(1, 2)])
    assert json.loads(json.dumps(fig)) == fig
    text = json.dumps(fig)
    assert "function" not in text  # nothing that needs eval under the CSP


@pytest.mark.parametrize("colour_by", ["status", "owner"])
def test_an_empty_timeline_still_draws(colour_by):
    fig = timeline_figure([], [Q1], [REVIEWS], TODAY, colour_by=colour_by)
    assert fig["data"] == []
    assert fig["layout"]["showlegend"] is False
    assert [s["name"] for s in fig["layout"]["shapes"] if "name" in s] == [
        "Performance reviews",
        "Today",
    ]


def test_height_grows_with_rows():
    small = figure()["layout"]["height"]
    many = [
        TimelineRow("stage", i, f"Stage {i}", date(2027, 1, 4), date(2027, 1, 8), "done")
        for i in range(40)
    ]
    assert timeline_figure(many, [Q1], [], TODAY)["layout"]["height"] > small


# Capacity figure ------------------------------------------------------------------------------


def test_capacity_figure_highlights_over_allocation():
    stages = [
        # Person 1: 8 days in Q1 with capacity 5 → over.
        StageSpan(1, 10, "content_creation", date(2027, 1, 4), date(2027, 1, 15), D(8), 1),
        # Person 2: 3 days in Q1 with capacity 10.
        StageSpan(2, 10, "delivery", date(2027, 1, 4), date(2027, 1, 8), D(3), 2),
    ]
    result = capacity_per_cycle(
        stages=stages,
        cycles=[Q1],
        capacity=[CapacityEntry(1, 1, D(5)), CapacityEntry(2, 1, D(10))],
    )
    fig = capacity_figure(result, {1: "Ana", 2: "Ben"})
    traces = {trace["name"]: trace for trace in fig["data"]}
    assert set(traces) == {"Available", "Planned", "Over-allocated"}
    assert traces["Available"]["x"] == [["Q1 FY27", "Q1 FY27"], ["Ana", "Ben"]]
    assert traces["Available"]["y"] == [5.0, 10.0]
    assert traces["Planned"]["y"] == [None, 3.0]
    assert traces["Over-allocated"]["y"] == [8.0, None]
    assert traces["Over-allocated"]["marker"]["color"] != traces["Planned"]["marker"]["color"]
    assert "8 planned of 5 days (160.0%)" in traces["Over-allocated"]["customdata"][0]
    assert json.loads(json.dumps(fig)) == fig


def test_capacity_figure_without_names_or_capacity():
    stage = StageSpan(1, 10, "delivery", date(2027, 1, 4), date(2027, 1, 8), D(2), 7)
    fig = capacity_figure(capacity_per_cycle(stages=[stage], cycles=[Q1]))
    traces = {trace["name"]: trace for trace in fig["data"]}
    assert traces["Available"]["x"] == [["Q1 FY27"], ["Person 7"]]
    assert traces["Over-allocated"]["y"] == [2.0]
    assert "no capacity" in traces["Over-allocated"]["customdata"][0]


def _contrast_on_white(colour: str) -> float:
    """WCAG contrast ratio of a #rrggbb colour against white."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


def test_delivered_and_done_differ_in_colour_pattern_and_words():
    rows = [
        row("initiative", 10, "Manager onboarding", (2, 1), (4, 30), "delivered"),
        row("stage", 1, "Content creation", (2, 1), (3, 5), "done"),
    ]
    traces = {t["name"]: t for t in figure(rows=rows)["data"] if t["type"] == "bar"}
    assert set(traces) == {"Delivered (initiative)", "Done (stage)"}
    delivered, done = traces["Delivered (initiative)"], traces["Done (stage)"]
    assert delivered["marker"]["color"] != done["marker"]["color"]
    for trace in (delivered, done):  # graphics need 3:1 against the white plot
        assert _contrast_on_white(trace["marker"]["color"]) >= 3
    assert "pattern" in done["marker"] and "pattern" not in delivered["marker"]
