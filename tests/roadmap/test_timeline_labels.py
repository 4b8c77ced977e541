# ruff: noqa: RUF001 - the hover shows dates with a real en dash.
"""Business-calendar names on the timeline: short enough to read, whole on hover, on at most
three rows, and never printed over one another (checked again in a browser)."""

from __future__ import annotations

from datetime import date

from roadmap.planning import CalendarEvent, CycleSpan
from roadmap.timeline import timeline_figure

CYCLES = [
    CycleSpan(1, "Q1 FY27", date(2026, 2, 1), date(2026, 4, 30)),
    CycleSpan(2, "Q2 FY27", date(2026, 5, 1), date(2026, 7, 31)),
    CycleSpan(3, "Q3 FY27", date(2026, 8, 1), date(2026, 10, 31)),
    CycleSpan(4, "Q4 FY27", date(2026, 11, 1), date(2027, 1, 31)),
]


def event(id: int, name: str, start: date, end: date, avoid: bool = False) -> CalendarEvent:
    return CalendarEvent(id, name, "other", start, end, avoid)


# The demo's calendar: seven events between July and October.
DEMO = [
    event(1, "Annual goal setting", date(2026, 2, 2), date(2026, 3, 6)),
    event(2, "Mid-year budget recast", date(2026, 7, 13), date(2026, 7, 24), True),
    event(3, "Mid-year performance reviews", date(2026, 7, 20), date(2026, 8, 7), True),
    event(4, "Quarterly goal reset", date(2026, 8, 3), date(2026, 8, 7)),
    event(5, "Sales kickoff", date(2026, 8, 17), date(2026, 8, 19)),
    event(6, "Graduate engineering intake", date(2026, 9, 1), date(2026, 9, 30)),
    event(7, "Budget forecast for next year", date(2026, 9, 14), date(2026, 10, 9)),
    event(8, "Support hiring wave", date(2026, 10, 1), date(2026, 11, 15)),
    event(9, "Year-end performance reviews", date(2027, 1, 4), date(2027, 1, 22), True),
]


def labels(events=DEMO) -> dict[str, dict]:
    fig = timeline_figure([], CYCLES, events, date(2026, 11, 29))
    return {a["name"]: a for a in fig["layout"]["annotations"] if a.get("name")}


def test_a_long_name_is_cut_with_an_ellipsis_and_whole_on_hover():
    label = labels()["Graduate engineering intake"]
    assert label["text"].endswith("…")
    assert "Graduate engineering intake".startswith(label["text"][:-1])
    assert len(label["text"]) <= 20
    assert label["hovertext"] == "<b>Graduate engineering intake</b><br>1 Sep 2026 – 30 Sep 2026"


def test_a_short_name_is_shown_whole():
    only = [event(1, "Sales kickoff", date(2026, 8, 17), date(2026, 8, 19))]
    assert labels(only)["Sales kickoff"]["text"] == "Sales kickoff"


def test_every_event_is_labelled_on_one_of_three_rows():
    placed = labels()
    assert set(placed) == {e.name for e in DEMO}
    shifts = {label["yshift"] for label in placed.values()}
    assert shifts <= {-2, -15, -28}
    # Close events do use more than one row.
    assert len(shifts) == 3


def test_no_label_is_empty_and_each_starts_like_its_name():
    for name, label in labels().items():
        text = label["text"]
        assert text
        assert text == name or (text.endswith("…") and name.startswith(text[:-1]))


def test_names_are_escaped_on_the_label_and_in_the_hover():
    tricky = [event(1, "<b>Budget</b> & review", date(2026, 8, 3), date(2026, 8, 7))]
    label = labels(tricky)["&lt;b&gt;Budget&lt;/b&gt; &amp; review"]
    assert "<b>Budget" not in label["text"]
    assert label["hovertext"].startswith("<b>&lt;b&gt;Budget&lt;/b&gt; &amp; review</b>")
