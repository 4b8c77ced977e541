"""User text in Plotly figures is shown as text, never as Plotly's HTML subset.

Plotly renders `<a href>`, `<b>`, `style=` and friends in axis ticks, annotations, legend
names and hover labels. An initiative title, event name, person name or KPI segment holding
`<a href="https://evil.example/">` would otherwise be drawn as a live link on colleagues'
pages (and cycle names on the shared, no-account roadmap page).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

from roadmap.charts import initiatives_per_cycle
from roadmap.planning import CalendarEvent, CapacityEntry, CycleSpan, StageSpan, capacity_per_cycle
from roadmap.timeline import TimelineRow, capacity_figure, timeline_figure

PAYLOAD = '<a href="https://evil.example/">click</a>'
# Fits the 30 characters of a KPI's unit (PostgreSQL enforces the length; SQLite does not).
SHORT_PAYLOAD = '<a href="//evil.io">u</a>'


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def assert_no_markup(figure: dict) -> None:
    # A shape's `name` is an id for templates and tests, never drawn: left out.
    drawn = {**figure, "layout": {k: v for k, v in figure["layout"].items() if k != "shapes"}}
    found = [s for s in strings(drawn) if "<a " in s or '">' in s]
    assert not found, found
    # The text itself is still there, as entities Plotly decodes for display.
    assert any("&lt;a href=" in s for s in strings(drawn))


def test_timeline_escapes_titles_owners_cycles_and_events():
    cycle = CycleSpan(1, PAYLOAD, date(2027, 1, 1), date(2027, 3, 31))
    event = CalendarEvent(1, PAYLOAD, "other", date(2027, 2, 1), date(2027, 2, 3))
    rows = [
        TimelineRow(
            "initiative", 1, PAYLOAD, date(2027, 1, 4), date(2027, 2, 1), "committed", PAYLOAD
        ),
        TimelineRow("stage", 2, "Delivery", date(2027, 1, 4), date(2027, 1, 8), "done", PAYLOAD),
    ]
    for colour_by in ("status", "owner"):
        assert_no_markup(
            timeline_figure(rows, [cycle], [event], date(2027, 1, 10), colour_by=colour_by)
        )


def test_capacity_figure_escapes_people_and_cycles():
    cycle = CycleSpan(1, PAYLOAD, date(2027, 1, 1), date(2027, 3, 31))
    stage = StageSpan(1, 10, "delivery", date(2027, 1, 4), date(2027, 1, 8), D(2), 7)
    result = capacity_per_cycle(
        stages=[stage], cycles=[cycle], capacity=[CapacityEntry(7, 1, D(5))]
    )
    assert_no_markup(capacity_figure(result, {7: PAYLOAD}))


def test_initiatives_per_cycle_escapes_cycle_names():
    from collections import Counter

    rows = [{"name": PAYLOAD, "counts": Counter({"committed": 1}), "total": 1}]
    assert_no_markup(initiatives_per_cycle(rows))


def test_kpi_trend_escapes_segment_and_unit(db, org):
    from measurement.charts import kpi_trend
    from tests.factories import KpiFactory, KpiValueFactory

    kpi = KpiFactory(org=org, unit=SHORT_PAYLOAD)
    values = [
        KpiValueFactory(kpi=kpi, org=org, date=date(2027, 1, 1), value=1, segment=PAYLOAD),
        KpiValueFactory(kpi=kpi, org=org, date=date(2027, 1, 1), value=2, segment=""),
    ]
    figure = kpi_trend(kpi, values)
    assert json.loads(json.dumps(figure)) == figure
    assert_no_markup(figure)
