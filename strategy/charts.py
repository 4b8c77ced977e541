"""Maturity assessments → a Plotly radar (see roadmap_site/charts.py for how pages draw it)."""

from __future__ import annotations

import plotly.graph_objects as go

from roadmap_site.charts import FONT, GREY, INDIGO, figure_json
from strategy import maturity
from strategy.models import MaturityAssessment

COLOURS = [INDIGO, GREY]


def maturity_radar(latest: MaturityAssessment, previous: MaturityAssessment | None = None) -> dict:
    """The latest assessment's level per dimension, over the previous one for comparison."""
    names = [_wrap(d.name) for d in maturity.DIMENSIONS]
    traces = []
    for assessment, colour, fill in (
        (previous, COLOURS[1], "none"),
        (latest, COLOURS[0], "toself"),
    ):
        if assessment is None:
            continue
        levels = [assessment.levels.get(d.key, 0) for d in maturity.DIMENSIONS]
        traces.append(
            go.Scatterpolar(
                name=f"{assessment.taken_on:%-d %b %Y}",
                # Close the shape by repeating the first point.
                r=[*levels, levels[0]],
                theta=[*names, names[0]],
                fill=fill,
                line={"color": colour, "width": 2 if fill == "toself" else 1.5},
                opacity=0.85,
                hovertemplate="%{theta}: level %{r}<extra></extra>",
            )
        )
    figure = go.Figure(
        data=traces,
        layout=go.Layout(
            polar={
                # Level numbers, not names: the names collide with the dimension labels
                # on a small radar; the page's key and table give the names.
                "radialaxis": {
                    "range": [0, len(maturity.LEVELS)],
                    "tickvals": [level.number for level in maturity.LEVELS],
                    "angle": 90 - 360 / len(maturity.DIMENSIONS) / 2,
                    "tickangle": 0,
                    "tickfont": {"size": 10},
                },
                "angularaxis": {"direction": "clockwise"},
            },
            legend={"orientation": "h", "y": -0.1},
            margin={"l": 60, "r": 60, "t": 40, "b": 30},
            height=400,
            font=FONT,
            showlegend=previous is not None,
        ),
    )
    return figure_json(figure)


def _wrap(name: str, width: int = 12) -> str:
    """Break a long label onto two lines so it fits beside a radar on a phone."""
    if len(name) <= width or " " not in name:
        return name
    middle = len(name) // 2
    cut = min((i for i, c in enumerate(name) if c == " "), key=lambda i: abs(i - middle))
    return f"{name[:cut]}<br>{name[cut + 1 :]}"
