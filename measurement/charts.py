"""KPI values → Plotly figures (see roadmap_site/charts.py for how pages draw them)."""

from __future__ import annotations

from collections import defaultdict

import plotly.graph_objects as go

from measurement.figures import Headline
from measurement.models import Kpi, KpiValue
from roadmap_site.charts import AMBER, FONT, GREEN, GREY, INDIGO, RED, figure_json, plotly_text

LINE = INDIGO
SEGMENT_COLOURS = [AMBER, GREEN, "#8a56c2", RED, "#3c9bb5"]


def kpi_trend(kpi: Kpi, values: list[KpiValue]) -> dict:
    """The overall values as a line (segments as thinner lines), with the baseline, the
    target and the planned trajectory between them."""
    by_segment: dict[str, list[KpiValue]] = defaultdict(list)
    for value in sorted(values, key=lambda v: v.date):
        by_segment[value.segment].append(value)
    unit = f" {plotly_text(kpi.unit)}" if kpi.unit else ""
    traces = []
    overall = by_segment.pop("", [])
    if overall:
        traces.append(
            go.Scatter(
                name="Overall",
                x=[v.date.isoformat() for v in overall],
                y=[float(v.value) for v in overall],
                mode="lines+markers",
                line={"color": LINE, "width": 3},
                hovertemplate="%{x}: %{y}" + unit + "<extra>Overall</extra>",
            )
        )
    for colour, (segment, rows) in zip(
        SEGMENT_COLOURS * 10, sorted(by_segment.items()), strict=False
    ):
        traces.append(
            go.Scatter(
                name=plotly_text(segment),
                x=[v.date.isoformat() for v in rows],
                y=[float(v.value) for v in rows],
                mode="lines+markers",
                line={"color": colour, "width": 1.5},
                hovertemplate="%{x}: %{y}" + unit + f"<extra>{plotly_text(segment)}</extra>",
            )
        )
    dates = [v.date for v in values]
    if kpi.baseline_date:
        dates.append(kpi.baseline_date)
    if kpi.target_date:
        dates.append(kpi.target_date)
    if dates:
        first, last = min(dates).isoformat(), max(dates).isoformat()
        if kpi.baseline is not None:
            traces.append(_level("Baseline", float(kpi.baseline), first, last, "#5b6475", "dot"))
        if kpi.target is not None:
            traces.append(_level("Target", float(kpi.target), first, last, "#1f7a52", "dash"))
        start_value = (
            kpi.baseline if kpi.baseline is not None else (overall[0].value if overall else None)
        )
        start_date = kpi.baseline_date or (overall[0].date if overall else None)
        if (
            kpi.target is not None
            and kpi.target_date is not None  # has_target, spelt out for the type checker
            and start_value is not None
            and start_date is not None
        ):
            traces.append(
                go.Scatter(
                    name="Planned trajectory",
                    x=[start_date.isoformat(), kpi.target_date.isoformat()],
                    y=[float(start_value), float(kpi.target)],
                    mode="lines",
                    line={"color": GREY, "width": 1.5, "dash": "dashdot"},
                    hoverinfo="skip",
                )
            )
    figure = go.Figure(
        data=traces,
        layout=go.Layout(
            yaxis={"title": {"text": plotly_text(kpi.unit) or "Value"}},
            xaxis={"type": "date"},
            legend={"orientation": "h", "y": -0.2},
            margin={"l": 55, "r": 10, "t": 10, "b": 40},
            height=340,
            font=FONT,
        ),
    )
    return figure_json(figure)


def _level(name: str, y: float, first: str, last: str, colour: str, dash: str) -> go.Scatter:
    return go.Scatter(
        name=name,
        x=[first, last],
        y=[y, y],
        mode="lines",
        line={"color": colour, "width": 1.5, "dash": dash},
        hovertemplate=f"{name}: %{{y}}<extra></extra>",
    )


def score_distribution(counts: list[int]) -> dict:
    """Responses per score 0 to 10 as bars: detractors red, passives grey, promoters green."""
    colours = [RED] * 7 + [GREY] * 2 + [GREEN] * 2
    figure = go.Figure(
        data=[
            go.Bar(
                x=list(range(11)),
                y=counts,
                marker={"color": colours},
                hovertemplate="Score %{x}: %{y} responses<extra></extra>",
            )
        ],
        layout=go.Layout(
            xaxis={"title": {"text": "Score"}, "tickmode": "linear", "dtick": 1},
            yaxis={"title": {"text": "Responses"}, "rangemode": "tozero"},
            margin={"l": 55, "r": 10, "t": 10, "b": 45},
            height=260,
            font=FONT,
            showlegend=False,
        ),
    )
    return figure_json(figure)


def engagement_trend(months: list) -> dict:
    """A program's monthly active learner rate (the headline) and its completion rate
    (secondary, dashed), in percent; a month without eligible learners is a gap."""

    def pct(share) -> float | None:
        return None if share is None else round(float(share) * 100, 1)

    x = [m.month.isoformat() for m in months]
    figure = go.Figure(
        data=[
            go.Scatter(
                name="Active learner rate",
                x=x,
                y=[pct(m.rate) for m in months],
                mode="lines+markers",
                line={"color": LINE, "width": 3},
                hovertemplate="%{x|%B %Y}: %{y} %<extra>Active</extra>",
            ),
            go.Scatter(
                name="Completion rate",
                x=x,
                y=[pct(m.completion_rate) for m in months],
                mode="lines+markers",
                line={"color": GREY, "width": 1.5, "dash": "dash"},
                hovertemplate="%{x|%B %Y}: %{y} %<extra>Completion</extra>",
            ),
        ],
        layout=go.Layout(
            yaxis={"title": {"text": "% of eligible learners"}, "rangemode": "tozero"},
            xaxis={"type": "date", "tickformat": "%b %Y"},
            legend={"orientation": "h", "y": -0.25},
            margin={"l": 55, "r": 10, "t": 10, "b": 40},
            height=320,
            font=FONT,
        ),
    )
    return figure_json(figure)


def headline_trend(headline: Headline) -> dict | None:
    """A headline's trend as a small line without axes' titles, for a dashboard card;
    None when there are fewer than two points to draw a line through."""
    if len(headline.trend) < 2:
        return None
    percent = headline.display.endswith("%")
    values = [point.value * 100 if percent else point.value for point in headline.trend]
    # A share is drawn on its whole 0 to 100 scale; a count from zero with room for whole ticks
    # (a flat line of zeros would otherwise get the ticks 0, 0.5, 1 written as 0, 1, 1).
    top = 100 if percent else max(2, max(values) * 1.15)
    figure = go.Figure(
        data=[
            go.Scatter(
                x=[point.day.isoformat() for point in headline.trend],
                y=values,
                mode="lines+markers",
                line={"color": LINE, "width": 2},
                marker={"size": 5},
                hovertemplate="%{x|%b %Y}: %{y:.0f}" + ("%" if percent else "") + "<extra></extra>",
            )
        ],
        layout=go.Layout(
            height=90,
            margin={"l": 30, "r": 6, "t": 6, "b": 22},
            xaxis={"type": "date", "tickformat": "%b %y", "nticks": 4, "fixedrange": True},
            yaxis={
                "nticks": 3,
                "fixedrange": True,
                "range": [0, top],
                # A share reads in per cent; a count in whole numbers.
                **({"ticksuffix": "%"} if percent else {"tickformat": "d"}),
            },
            showlegend=False,
            font={**FONT, "size": 10},
        ),
    )
    return figure_json(figure)
