"""What every app's charts share: escaping user text for Plotly, the house font and
colours, and turning a figure into plain JSON.

Each app builds its own figures in `<app>/charts.py`; a page emits one with `json_script`
and static/js/app.js draws it; the PDF uses the same figure.
"""

from __future__ import annotations

import json
from html import escape

import plotly.graph_objects as go

FONT = {"family": "system-ui, sans-serif", "size": 12}

# The house colours, named by hue; each app maps its meanings onto them.
BLUE = "#2f6fde"
INDIGO = "#2f55d4"
AMBER = "#e8a33d"
GREEN = "#2e9d6a"
RED = "#c94f4f"
GREY = "#9aa5b1"


def plotly_text(value: str) -> str:
    """User text for a Plotly string (tick, annotation, legend, hover): Plotly draws a
    subset of HTML there (`<a href>`, `<b>`, `style`), so `<`, `>` and `&` become entities,
    which it shows as the characters typed."""
    return escape(value, quote=False)


def figure_json(figure: go.Figure) -> dict:
    """The figure as plain types (no numpy arrays, no Plotly objects), ready for
    `json_script` and the PDF."""
    return json.loads(figure.to_json())
