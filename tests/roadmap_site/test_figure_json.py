"""`figure_json` prints exactly what Django's `json_script` prints, faster."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.template import engines
from django.utils.html import json_script

from roadmap_site.templatetags.figure_json import figure_json

TRICKY = {
    "title": "</script><script>alert('x')</script> & <!-- R&D -->",
    "unicode": "Zoë\u2019s café — 東京 \u2028 \u2029",
    "when": date(2026, 11, 30),
    "amount": Decimal("12.50"),
    "rows": [1, 2.5, None, True, {"nested": ">"}],
}


def test_the_same_output_as_json_script():
    assert figure_json(TRICKY, "chart-x") == json_script(TRICKY, "chart-x")


def test_the_id_is_escaped_like_json_scripts():
    assert figure_json([], '"><b>') == json_script([], '"><b>')


def test_the_filter_in_a_template():
    template = engines["django"].from_string(
        '{% load figure_json %}{{ figure|figure_json:"chart-t" }}'
    )
    html = template.render({"figure": TRICKY})
    assert html == json_script(TRICKY, "chart-t")
    assert "</script><script>" not in html
