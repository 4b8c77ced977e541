"""The Plan phase's figures: the timeline (Gantt) and the capacity chart.

Rows come in already filtered and ordered (by owner, priority, status: the view's job);
these functions only draw. Figures are plain JSON (no JavaScript callbacks), drawn by
static/js/app.js under the strict CSP, and reused by the PDF.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Literal

import plotly.graph_objects as go
import plotly.io as pio

from roadmap.planning import (
    CalendarEvent,
    CapacityResult,
    CycleSpan,
    Dependency,
    PersonCycleLoad,
)
from roadmap_site.charts import AMBER, BLUE, FONT, GREEN, GREY, RED, figure_json, plotly_text

DAY_MS = 24 * 60 * 60 * 1000
LABEL_CHARS = 26  # longer row labels are cut with an ellipsis; the hover has them whole
# Business-calendar names above the bars: cut at this length, the full name on hover and in
# the table under the chart, on up to three rows so that names close in time do not overprint.
EVENT_LABEL_CHARS = 20
EVENT_LABEL_ROWS = 3
# Names are placed for the narrowest plot: the timeline's 960-pixel minimum width (app.css;
# narrower screens scroll it sideways) less the row labels. A 10-pixel character is taken
# as 6.5 pixels, capitals included.
NARROWEST_PLOT_PX = 740
CHAR_PX = 6.5

# Keyed by value so this module stays free of models; roadmap/charts.py takes the
# initiative statuses from here.
STATUS_COLOURS = {
    # Initiative statuses
    "proposed": GREY,
    "committed": BLUE,
    "in_progress": AMBER,
    "delivered": GREEN,
    "stopped": RED,
    # Stage statuses
    "not_started": "#7b93c9",
    "blocked": RED,
    # Not Delivered's green: a darker teal (6:1 on white, against green's 3.4:1), hatched,
    # and named as a stage's status in the legend, so the two never read as one.
    "done": "#0b6e69",
}
# Statuses whose words alone could be mistaken for another's in the legend.
STATUS_LEGEND = {"delivered": "Delivered (initiative)", "done": "Done (stage)"}
# Bars of these statuses are hatched: a cue that does not rely on colour.
STATUS_PATTERNS = {"done": {"shape": "/", "fgcolor": "rgba(255, 255, 255, 0.55)", "size": 6}}
OWNER_PALETTE = [
    BLUE,
    AMBER,
    GREEN,
    "#8e5bd6",
    "#d0597c",
    "#1b9aaa",
    "#8c6d31",
    "#5c6bc0",
]
FALLBACK_COLOUR = GREY
EVENT_FILLS = {
    "avoid_launches": "rgba(201, 79, 79, 0.14)",
    "stakeholders": "rgba(142, 91, 214, 0.14)",
    "other": "rgba(120, 130, 140, 0.12)",
}
EVENT_TEXT = {"avoid_launches": "#a33b3b", "stakeholders": "#6b3fb0", "other": "#56606b"}
TODAY_COLOUR = "#c0392b"
DEPENDENCY_COLOUR = "#56606b"
OVER_COLOUR = RED
PLANNED_COLOUR = BLUE
CAPACITY_COLOUR = "#d5dbe1"


@dataclass(frozen=True)
class TimelineRow:
    """One bar: an initiative (level 0) or one of its stages (level 1)."""

    kind: Literal["initiative", "stage"]
    id: int
    label: str
    start: date
    end: date  # inclusive: the bar covers the whole last day
    status: str
    owner: str = ""  # display name; empty when unassigned

    @property
    def ref(self) -> tuple[str, int]:
        return self.kind, self.id


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def _days(value: Decimal) -> str:
    """8.00 → "8", 2.50 → "2.5"."""
    return format(value.normalize(), "f")


def _day_after(day: date) -> str:
    return (day + timedelta(days=1)).isoformat()


def timeline_figure(
    rows: Sequence[TimelineRow],
    cycles: Sequence[CycleSpan],
    events: Sequence[CalendarEvent],
    today: date,
    colour_by: Literal["status", "owner"] = "status",
    dependencies: Sequence[Dependency] = (),
) -> dict:
    """A Gantt of the rows, top to bottom in the order given.

    Bars are grouped into one trace per status (or owner) so the legend explains the
    colours. Cycles are alternate shaded columns named above the plot; calendar events are
    tinted bands named under the cycle names (red: avoid launches, purple: stakeholders
    busy); dependencies are arrows from the end of one bar to the start of the next, red
    when the dates break them. The today line is drawn when today is in view.
    """
    starts = [row.start for row in rows] + [cycle.start for cycle in cycles]
    ends = [row.end for row in rows] + [cycle.end for cycle in cycles]
    first = min(starts, default=today - timedelta(days=30))
    last = max(ends, default=today + timedelta(days=60))
    view = (first - timedelta(days=3), last + timedelta(days=4))

    # Positions, not labels, on the y axis: stage names repeat across initiatives.
    position = {row.ref: index for index, row in enumerate(rows)}
    group_of = (lambda row: row.status) if colour_by == "status" else (lambda row: row.owner)
    groups: dict[str, list[TimelineRow]] = {}
    for row in rows:
        groups.setdefault(group_of(row), []).append(row)
    owners = sorted(name for name in groups if name) if colour_by == "owner" else []

    def colour(group: str) -> str:
        if colour_by == "status":
            return STATUS_COLOURS.get(group, FALLBACK_COLOUR)
        if not group:
            return FALLBACK_COLOUR
        return OWNER_PALETTE[owners.index(group) % len(OWNER_PALETTE)]

    def legend_name(group: str) -> str:
        if colour_by == "status":
            return STATUS_LEGEND.get(group) or (_label(group) if group else "No status")
        return plotly_text(group) or "Unassigned"

    # Plain dicts, not plotly.graph_objects: validating thousands of values costs seconds
    # at the size of a global team, and the figure is only ever turned into JSON.
    traces: list[dict] = [
        {
            "type": "bar",
            "name": legend_name(group),
            "orientation": "h",
            "base": [row.start.isoformat() for row in members],
            "x": [((row.end - row.start).days + 1) * DAY_MS for row in members],
            "y": [position[row.ref] for row in members],
            "width": [0.72 if row.kind == "initiative" else 0.5 for row in members],
            "marker": {
                "color": colour(group),
                "opacity": [1 if row.kind == "initiative" else 0.85 for row in members],
                "line": {"width": 0},
                **(
                    {"pattern": STATUS_PATTERNS[group]}
                    if colour_by == "status" and group in STATUS_PATTERNS
                    else {}
                ),
            },
            "customdata": [
                [
                    plotly_text(row.label),
                    row.start.isoformat(),
                    row.end.isoformat(),
                    _label(row.status),
                    plotly_text(row.owner) or "Unassigned",
                ]
                for row in members
            ],
            "hovertemplate": (
                "<b>%{customdata[0]}</b><br>%{customdata[1]} → %{customdata[2]}"
                "<br>%{customdata[3]} · %{customdata[4]}<extra></extra>"
            ),
        }
        for group, members in groups.items()
    ]
    traces.extend(_dependency_traces(rows, position, dependencies))

    shapes: list[dict] = []
    annotations: list[dict] = []
    for index, cycle in enumerate(sorted(cycles, key=lambda cycle: cycle.start)):
        if index % 2 == 0:
            shapes.append(_band(cycle.start, cycle.end, "rgba(47, 111, 222, 0.05)"))
        shapes.append(_vline(cycle.start.isoformat(), "#c3cad3", width=1))
        annotations.append(
            {
                "x": (cycle.start + (cycle.end - cycle.start) / 2).isoformat(),
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": 2,
                "text": f"<b>{plotly_text(cycle.name)}</b>",
                "showarrow": False,
                "font": {"size": 11, "color": "#2d3640"},
            }
        )

    for label in _event_labels(_event_spans(events, *view), view):
        event, start, end = label.event, label.start, label.end
        tone = (
            "avoid_launches"
            if event.avoid_launches
            else "stakeholders"
            if event.needs_stakeholders_conflict
            else "other"
        )
        shapes.append(_band(start, end, EVENT_FILLS[tone], name=event.name))
        dates = f"{start.day} {start:%b %Y}"
        if end != start:
            dates += f" \N{EN DASH} {end.day} {end:%b %Y}"
        annotations.append(
            {
                # Not drawn, but escaped like all user text in a figure: tests find it by this.
                "name": plotly_text(event.name),
                "x": _day_after(end) if label.from_end else start.isoformat(),
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "xanchor": "right" if label.from_end else "left",
                "yanchor": "top",
                "yshift": -2 - 13 * label.row,
                "text": plotly_text(label.text),
                "hovertext": f"<b>{plotly_text(event.name)}</b><br>{dates}",
                "showarrow": False,
                "font": {"size": 10, "color": EVENT_TEXT[tone]},
                "bgcolor": "rgba(255, 255, 255, 0.7)",
            }
        )

    if view[0] <= today <= view[1]:
        noon = f"{today.isoformat()}T12:00:00"
        shapes.append(_vline(noon, TODAY_COLOUR, width=2, dash="dot", name="Today"))
        annotations.append(
            {
                "x": noon,
                "y": 0,
                "xref": "x",
                "yref": "paper",
                "yanchor": "top",
                "yshift": -2,
                "text": "Today",
                "showarrow": False,
                "font": {"size": 10, "color": TODAY_COLOUR},
            }
        )

    return {
        "data": traces,
        "layout": {
            "template": _plain_template(),
            "barmode": "overlay",
            "height": 150 + 28 * max(len(rows), 3),
            "margin": {"l": 10, "r": 16, "t": 34, "b": 40},
            "font": FONT,
            "showlegend": bool(rows),
            # Below everything, whatever the height: anchored to the container, not the plot.
            "legend": {
                "orientation": "h",
                "x": 0,
                "xanchor": "left",
                "y": 0,
                "yref": "container",
                "yanchor": "bottom",
            },
            "xaxis": {
                "type": "date",
                "range": [view[0].isoformat(), view[1].isoformat()],
                "showgrid": False,
                "ticklabelstandoff": 14,
                "automargin": True,
            },
            "yaxis": {
                "tickmode": "array",
                "tickvals": list(range(len(rows))),
                "ticktext": [
                    f"<b>{plotly_text(_short(row.label))}</b>"
                    if row.kind == "initiative"
                    else plotly_text(_short(row.label))
                    for row in rows
                ],
                "tickfont": {"size": 11},
                # A spare row on top holds the event names clear of the first bar.
                "range": [max(len(rows), 1) - 0.5, -1.8],
                "automargin": True,
                "showgrid": False,
                "zeroline": False,
                "fixedrange": True,
            },
            "shapes": shapes,
            "annotations": annotations,
            "hoverlabel": {"align": "left"},
            "plot_bgcolor": "white",
            "paper_bgcolor": "white",
        },
    }


def _dependency_traces(
    rows: Sequence[TimelineRow],
    position: Mapping[tuple[str, int], int],
    dependencies: Sequence[Dependency],
) -> list[dict]:
    """Each dependency a line from the end of one bar to the start of the next, with an
    arrowhead there: all of them in one trace (two: kept grey, broken red), segments parted
    by None, rather than one annotation each, which Plotly lays out one by one."""
    by_ref = {row.ref: row for row in rows}
    lines: dict[bool, tuple[list, list]] = {False: ([], []), True: ([], [])}
    for dependency in dependencies:
        before = by_ref.get((dependency.kind, dependency.predecessor_id))
        after = by_ref.get((dependency.kind, dependency.successor_id))
        if before is None or after is None:
            continue
        xs, ys = lines[after.start <= before.end]
        xs.extend([_day_after(before.end), after.start.isoformat(), None])
        ys.extend([position[before.ref], position[after.ref], None])
    traces = []
    for broken, (xs, ys) in lines.items():
        if not xs:
            continue
        colour = TODAY_COLOUR if broken else DEPENDENCY_COLOUR
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Waits for (dates break it)" if broken else "Waits for",
                "x": xs,
                "y": ys,
                "line": {"color": colour, "width": 1.5},
                # An arrowhead on each segment's end only (every third point from the second).
                "marker": {
                    "symbol": "arrow",
                    "angleref": "previous",
                    "color": colour,
                    "size": [0 if i % 3 != 1 else 9 for i in range(len(xs))],
                },
                "hoverinfo": "skip",
            }
        )
    return traces


@cache
def _plain_template() -> dict:
    """The layout part of Plotly's default template, which `go.Figure` would have added:
    the same fonts, hover and axis colours as the app's other charts."""
    return json.loads(pio.templates[pio.templates.default].layout.to_json())


def _event_spans(
    events: Sequence[CalendarEvent], start: date, end: date
) -> list[tuple[CalendarEvent, date, date]]:
    spans = [
        (event, first, last) for event in events for first, last in event.occurrences(start, end)
    ]
    return sorted(spans, key=lambda span: (span[1], span[0].id))


@dataclass
class _EventLabel:
    event: CalendarEvent
    start: date
    end: date
    text: str
    from_end: bool  # anchored at the band's end (near the right edge) rather than its start
    row: int = 0


def _event_labels(
    spans: Sequence[tuple[CalendarEvent, date, date]], view: tuple[date, date]
) -> list[_EventLabel]:
    """Each event's label: its name, cut to `EVENT_LABEL_CHARS`, on one of three rows.

    A label goes on the first row where the previous label has ended. When all three are
    taken, it goes on the row where cutting the previous label short, to end where the new
    one begins, loses the fewest characters: every name stays readable from its start, and
    whole on hover and in the table.
    """
    per_char = _days_per_char(view)
    labels: list[_EventLabel] = []
    last_on_row: list[_EventLabel | None] = [None] * EVENT_LABEL_ROWS

    def extent(label: _EventLabel) -> tuple[float, float]:
        """Where the label lies, in days from the start of the view."""
        width = (len(label.text) + 0.5) * per_char  # half a character of air
        if label.from_end:
            right = (label.end - view[0]).days + 1
            return right - width, right
        left = (label.start - view[0]).days
        return left, left + width

    for event, start, end in spans:
        text = _short(event.name, EVENT_LABEL_CHARS)
        runs_off = start + timedelta(days=(len(text) + 0.5) * per_char) > view[1]
        label = _EventLabel(event, start, end, text, from_end=runs_off)
        left = extent(label)[0]
        free = [i for i, last in enumerate(last_on_row) if last is None or extent(last)[1] <= left]
        if free:
            label.row = free[0]
        else:
            # How many characters of each row's last label fit before this one starts; one
            # anchored at its end would move if cut, so it is never chosen.
            lasts = {last.row: last for last in last_on_row if last is not None}
            rooms = {
                row: max(int((left - extent(last)[0]) / per_char - 0.5), 1)
                for row, last in lasts.items()
                if not last.from_end
            }
            if rooms:
                label.row = min(rooms, key=lambda row: len(lasts[row].text) - rooms[row])
                earlier = lasts[label.row]
                earlier.text = _short(earlier.event.name, rooms[label.row])
            else:
                label.row = len(labels) % EVENT_LABEL_ROWS
        last_on_row[label.row] = label
        labels.append(label)
    return labels


def _days_per_char(view: tuple[date, date]) -> float:
    return CHAR_PX * (view[1] - view[0]).days / NARROWEST_PLOT_PX


def _band(start: date, end: date, fill: str, name: str = "") -> dict:
    shape = {
        "type": "rect",
        "xref": "x",
        "yref": "paper",
        "x0": start.isoformat(),
        "x1": _day_after(end),
        "y0": 0,
        "y1": 1,
        "fillcolor": fill,
        "line": {"width": 0},
        "layer": "below",
    }
    if name:
        shape["name"] = name
    return shape


def _vline(x: str, colour: str, *, width: int, dash: str = "solid", name: str = "") -> dict:
    shape = {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": colour, "width": width, "dash": dash},
    }
    if name:
        shape["name"] = name
    return shape


def capacity_figure(result: CapacityResult, names: Mapping[int, str] | None = None) -> dict:
    """Planned days against available days, per person within each cycle.

    The grey bar is what the person has (capacity minus time off); the coloured bar over it
    is what is planned, red where it exceeds the grey one.
    """
    names = names or {}
    cycle_names = {cycle.id: plotly_text(cycle.name) for cycle in result.cycles}
    loads = list(result.people)
    x = [
        [cycle_names[load.cycle_id] for load in loads],
        [plotly_text(names.get(load.person_id, f"Person {load.person_id}")) for load in loads],
    ]

    def hover(load: PersonCycleLoad) -> str:
        utilisation = "no capacity" if load.utilisation is None else f"{load.utilisation}%"
        planned, available = _days(load.planned_days), _days(load.available_days)
        return f"{planned} planned of {available} days ({utilisation})"

    def only(over: bool) -> list[float | None]:
        return [float(load.planned_days) if load.over_allocated == over else None for load in loads]

    hovertemplate = "%{x[1]}, %{x[0]}<br>%{customdata}<extra></extra>"
    customdata = [hover(load) for load in loads]
    figure = go.Figure(
        data=[
            go.Bar(
                name="Available",
                x=x,
                y=[float(load.available_days) for load in loads],
                marker={"color": CAPACITY_COLOUR},
                width=0.8,
                customdata=customdata,
                hovertemplate=hovertemplate,
            ),
            go.Bar(
                name="Planned",
                x=x,
                y=only(False),
                marker={"color": PLANNED_COLOUR},
                width=0.45,
                customdata=customdata,
                hovertemplate=hovertemplate,
            ),
            go.Bar(
                name="Over-allocated",
                x=x,
                y=only(True),
                marker={"color": OVER_COLOUR},
                width=0.45,
                customdata=customdata,
                hovertemplate=hovertemplate,
            ),
        ],
        layout=go.Layout(
            barmode="overlay",
            height=380,
            margin={"l": 50, "r": 10, "t": 20, "b": 40},
            font=FONT,
            legend={
                "orientation": "h",
                "x": 0,
                "y": 0,
                "yref": "container",
                "yanchor": "bottom",
            },
            yaxis={"title": {"text": "Days"}, "rangemode": "tozero"},
            xaxis={"automargin": True},
            plot_bgcolor="white",
            paper_bgcolor="white",
        ),
    )
    return figure_json(figure)
