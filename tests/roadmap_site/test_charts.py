"""The chart helpers every app shares (roadmap_site/charts.py)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from decimal import Decimal as D

import plotly.graph_objects as go

from roadmap.charts import initiatives_per_cycle
from roadmap.models import InitiativeStatus
from roadmap.planning import CycleSpan
from roadmap.timeline import TimelineRow, timeline_figure
from roadmap_site.charts import figure_json, plotly_text


def test_plotly_text_turns_markup_into_entities_and_keeps_the_rest():
    assert plotly_text('<a href="x">Q&A</a>') == '&lt;a href="x"&gt;Q&amp;A&lt;/a&gt;'
    assert plotly_text("Manager's toolkit · FY27") == "Manager's toolkit · FY27"
    assert plotly_text("") == ""


def test_figure_json_holds_only_plain_types():
    figure = go.Figure(data=[go.Bar(x=[date(2027, 1, 4), date(2027, 1, 5)], y=[D("2.5"), 4])])
    data = figure_json(figure)
    # Survives a round trip through the standard library unchanged: no dates, no Decimals,
    # no Plotly objects, so json_script and the PDF can take it as it is.
    assert json.loads(json.dumps(data)) == data
    assert data["data"][0]["x"] == ["2027-01-04", "2027-01-05"]
    assert data["data"][0]["y"] == [2.5, 4]


def test_a_status_has_the_same_colour_on_the_roadmap_chart_and_the_timeline():
    cycle = CycleSpan(1, "Q1 FY27", date(2027, 1, 1), date(2027, 3, 31))
    statuses = list(InitiativeStatus)
    bars = initiatives_per_cycle(
        [{"name": "Q1 FY27", "counts": Counter(statuses), "total": len(statuses)}]
    )
    gantt = timeline_figure(
        [
            TimelineRow("initiative", i, s.label, date(2027, 1, 4), date(2027, 2, 1), s.value)
            for i, s in enumerate(statuses)
        ],
        [cycle],
        [],
        date(2027, 1, 10),
    )
    on_bars = {trace["name"]: trace["marker"]["color"] for trace in bars["data"]}
    # The timeline's legend says "Delivered (initiative)": stages have a "Done" of their own.
    on_gantt = {
        trace["name"].removesuffix(" (initiative)"): trace["marker"]["color"]
        for trace in gantt["data"]
    }
    assert set(on_bars) == {s.label for s in statuses}
    assert on_bars == on_gantt
    # Five statuses, five colours: the mapping did not collapse.
    assert len(set(on_bars.values())) == len(statuses)
