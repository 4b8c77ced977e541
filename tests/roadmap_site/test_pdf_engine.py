"""The PDF engine: WeasyPrint's tagged output and its metadata, and Kaleido's charts with
their table fallback. Real renders, read back with pypdf (tests/pdfs.py)."""

from __future__ import annotations

import re
from pathlib import Path

import plotly.graph_objects as go
import pytest

from roadmap_site.charts import figure_json
from roadmap_site.pdf import (
    Chart,
    ChartRenderer,
    ChartTable,
    describe_figure,
    figure_table,
    render_pdf,
)
from tests import pdfs

needs_browser = pytest.mark.skipif(
    not Path("/usr/bin/chromium").is_file(), reason="no Chromium at /usr/bin/chromium"
)


def bars() -> dict:
    return figure_json(
        go.Figure(
            data=[
                go.Bar(name="Committed", x=["Q1 FY26", "Q2 FY26"], y=[3, 4]),
                go.Bar(name="Delivered", x=["Q1 FY26", "Q2 FY26"], y=[1, 2]),
            ],
            layout=go.Layout(height=300, yaxis={"title": {"text": "Initiatives"}}),
        )
    )


def page(body: str, lang: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><title>HTML title</title>'
        '<link rel="stylesheet" href="css/pdf.css"></head>'
        f"<body><main>{body}</main></body></html>"
    )


TABLE = (
    "<h1>Roadmap</h1><h2>Priorities</h2>"
    '<table><thead><tr><th scope="col">KPI</th><th scope="col">Target</th></tr></thead>'
    "<tbody><tr><td>Time to productivity</td><td>60 days</td></tr></tbody></table>"
)


def test_the_default_pdf_is_tagged_with_title_language_and_creator():
    content = render_pdf(page(TABLE), title="Global onboarding roadmap", lang="en-GB")

    root = pdfs.catalog(content)
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    info = pdfs.reader(content).metadata
    assert info.title == "Global onboarding roadmap"  # the argument wins over <title>
    assert info["/Creator"] == "L&D Roadmap"
    xmp = pdfs.reader(content).xmp_metadata
    assert xmp is not None and "pdfuaid" in xmp.stream.get_data().decode()
    roles = pdfs.roles(content)
    assert roles.index("H1") < roles.index("H2") < roles.index("Table")
    assert roles.count("TH") == 2 and "TD" in roles
    assert "DejaVu-Sans" in pdfs.embedded_fonts(content)
    assert "Time to productivity" in pdfs.text(content)


def test_an_archival_pdf_is_pdf_a_and_keeps_its_tags():
    content = render_pdf(page(TABLE), title="Q3 report", archival=True)

    xmp = pdfs.reader(content).xmp_metadata.stream.get_data().decode()
    assert 'pdfaid:part="3" pdfaid:conformance="A"' in xmp
    assert "/OutputIntents" in pdfs.catalog(content)
    assert "TH" in pdfs.roles(content)


def test_progress_is_reported_in_order_up_to_the_end():
    seen: list[float] = []
    render_pdf(page(TABLE * 3), title="t", progress=seen.append, expected_pages=1)
    assert seen == sorted(seen) and len(seen) >= 4
    assert 0 < seen[0] < 0.2 and seen[-1] >= 0.9


def test_a_file_outside_static_is_not_embedded(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not an image")
    body = f'<h1>x</h1><img src="{secret.as_uri()}" alt="x">'
    body += '<img src="https://example.com/a.png" alt="y">'
    content = render_pdf(page(body), title="t")
    assert len(pdfs.reader(content).pages[0].images) == 0


def test_figure_table_reads_bars_by_category():
    assert figure_table(bars()) == ChartTable(
        ["Category", "Committed", "Delivered"], [["Q1 FY26", "3", "1"], ["Q2 FY26", "4", "2"]]
    )


def test_figure_table_reads_a_gantt_as_start_and_end_per_bar():
    from datetime import date

    from roadmap.timeline import TimelineRow, timeline_figure

    rows = [
        TimelineRow(
            "initiative",
            1,
            "Manager toolkit & <guide>",
            date(2026, 1, 5),
            date(2026, 2, 27),
            "committed",
        ),
        TimelineRow(
            "initiative", 2, "Buddy programme", date(2026, 3, 2), date(2026, 3, 31), "delivered"
        ),
    ]
    figure = timeline_figure(rows, [], [], today=date(2026, 1, 1))
    table = figure_table(figure)
    assert table.headers == ["Item", "Start", "End", "Status"]
    assert sorted(table.rows) == [
        ["Buddy programme", "2026-03-02", "2026-03-31", "Delivered (initiative)"],
        ["Manager toolkit & <guide>", "2026-01-05", "2026-02-27", "Committed"],
    ]
    alt = describe_figure(figure, title="Timeline")
    assert (
        alt
        == "Timeline: 2 bars from 2026-01-05 to 2026-03-31 (1 committed, 1 delivered (initiative))."
    )


def test_alt_text_reads_each_series_from_its_data():
    alt = describe_figure(bars(), title="Initiatives per cycle")
    assert alt == (
        "Initiatives per cycle; Committed: Q1 FY26 3, Q2 FY26 4; Delivered: Q1 FY26 1, Q2 FY26 2."
    )
    assert describe_figure({"data": [], "layout": {}}, title="KPI") == "KPI: no data yet."


def test_without_a_browser_every_chart_is_its_table_and_the_pdf_renders(settings):
    settings.PDF_BROWSER_PATH = "/nonexistent/chromium"
    with ChartRenderer() as charts:
        first = charts.svg(bars(), alt="Initiatives per cycle")
        second = charts.svg(bars(), alt="Again")
    assert (charts.drawn, charts.tables) == (0, 2)
    assert not first.drawn
    assert first.note == "Chart shown as a table: no browser is installed to draw it."

    content = render_pdf(page(f"<h1>Roadmap</h1>{first.__html__()}{second.__html__()}"), title="t")
    text = pdfs.text(content)
    assert "Chart shown as a table: no browser is installed to draw it." in text
    assert "Q2 FY26 4 2" in text
    roles = pdfs.roles(content)
    assert "Figure" not in roles and "Caption" in roles and roles.count("TH") == 2 * (3 + 2)


def test_a_browser_that_will_not_start_falls_back_once_for_the_whole_job(tmp_path):
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    with ChartRenderer(browser_path=str(broken), start_timeout=20) as charts:
        first = charts.svg(bars(), alt="a")
        second = charts.svg(bars(), alt="b")
    assert (
        first.note
        == second.note
        == ("Chart shown as a table: the browser that draws charts did not start.")
    )
    assert charts.tables == 2


def test_a_chart_table_escapes_figure_text():
    chart = Chart(alt="<b>alt</b>", table=ChartTable(["<i>x</i>", "y"], [["<s>", "1"]]), note="n")
    markup = chart.__html__()
    assert "<b>" not in markup and "&lt;b&gt;alt&lt;/b&gt;" in markup
    assert '<th scope="row">&lt;s&gt;</th>' in markup


@needs_browser
def test_one_browser_draws_every_chart_as_svg_with_its_alt_as_title():
    with ChartRenderer() as charts:
        drawn = [charts.svg(bars(), alt=f"Chart {n} & co") for n in range(3)]
    assert charts.drawn == 3 and charts.tables == 0
    assert all(chart.svg.startswith("<svg") for chart in drawn)
    assert "<title>Chart 0 &amp; co</title>" in drawn[0].svg
    assert "Q2 FY26" in drawn[0].svg  # the axis, drawn

    content = render_pdf(page("<h1>x</h1>" + "".join(c.__html__() for c in drawn)), title="t")
    figures = [tag for tag in pdfs.structure(content) if tag.role == "Figure"]
    assert [figure.alt for figure in figures] == ["Chart 0 & co", "Chart 1 & co", "Chart 2 & co"]


@needs_browser
def test_a_browser_that_stops_answering_turns_the_rest_of_the_jobs_charts_into_tables():
    # No chart draws in a millisecond: the first waits that long, the second not at all.
    with ChartRenderer(timeout=0.001) as charts:
        first = charts.svg(bars(), alt="a")
        second = charts.svg(bars(), alt="b")
    reason = "Chart shown as a table: the browser that draws charts stopped answering."
    assert (first.note, second.note) == (reason, reason)
    assert (charts.drawn, charts.tables) == (0, 2)


@needs_browser
def test_the_same_figures_draw_the_same_svg_again_each_with_ids_of_its_own():
    # Plotly names clip paths after a random id; a regenerated document must keep its bytes,
    # and two charts inline in one document must not share an id.
    with ChartRenderer() as charts:
        first = [charts.svg(bars(), alt="a").svg, charts.svg(bars(), alt="a").svg]
    with ChartRenderer() as charts:
        again = [charts.svg(bars(), alt="a").svg, charts.svg(bars(), alt="a").svg]
    assert first == again
    ids = [set(re.findall(r'id="([^"]+)"', svg)) for svg in first]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    for svg, own in zip(first, ids, strict=True):
        references = set(re.findall(r"url\(['\"]?#([^)'\"]+)", svg))
        assert references and references <= own


@needs_browser
def test_charts_drawn_ahead_after_one_drawn_now_use_the_same_browser():
    with ChartRenderer() as charts:
        now = charts.svg(bars(), alt="now")
        ahead = charts.draw_ahead([(bars(), "a"), (bars(), "b")])
        assert [chart.src for chart in ahead] == ["chart:1", "chart:2"] and charts.waiting == 2
        drawn = [charts.drawn_ahead(chart.src) for chart in ahead]
        assert charts.waiting == 0 and charts.drawn_ahead("chart:1") is drawn[0]
    assert now.drawn and all(chart.svg.startswith("<svg") for chart in drawn)
    assert "<title>b</title>" in drawn[1].svg and charts.drawn == 3


def other_figure() -> dict:
    return figure_json(
        go.Figure(
            data=[go.Scatter(name="NPS", x=["2026-01-01", "2026-02-01"], y=[10, 40])],
            layout=go.Layout(height=280, title={"text": "Trend"}),
        )
    )


@needs_browser
def test_a_chart_drawn_in_a_used_tab_is_the_chart_drawn_in_a_fresh_browser():
    # Tabs are not reloaded between charts (plotly.js parsed again each time was most of a
    # chart's time): nothing of one chart may reach the next, and the tab stays the same.
    with ChartRenderer() as fresh:
        alone = fresh.svg(bars(), alt="a").svg
    with ChartRenderer() as used:
        used.svg(other_figure(), alt="first")
        tab = used._kaleido.tabs_ready._queue[0]
        page_before = tab._current_js_id
        after = used.svg(bars(), alt="a").svg
        assert used._kaleido.tabs_ready._queue[0]._current_js_id == page_before
    # Same figure, same drawing: only the chart's number in its ids differs (c1 vs c2).
    assert after.replace("c2", "c1") == alone


@needs_browser
def test_charts_drawn_ahead_are_queued_while_the_browser_still_opens():
    # The document is parsed while Chromium starts: queuing does not wait for it.
    with ChartRenderer() as charts:
        charts.start()
        ahead = charts.draw_ahead([(bars(), "a"), (other_figure(), "b")])
        assert charts._kaleido is None  # still opening: nothing waited for it
        drawn = [charts.drawn_ahead(chart.src) for chart in ahead]
    assert all(chart.svg.startswith("<svg") for chart in drawn) and charts.drawn == 2
    assert "<title>b</title>" in drawn[1].svg


def test_charts_queued_for_a_browser_that_will_not_start_are_tables(tmp_path):
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    with ChartRenderer(browser_path=str(broken), start_timeout=20) as charts:
        ahead = charts.draw_ahead([(bars(), "a"), (bars(), "b")])
        drawn = [charts.drawn_ahead(chart.src) for chart in ahead]
    reason = "Chart shown as a table: the browser that draws charts did not start."
    assert [chart.note for chart in drawn] == [reason, reason] and charts.tables == 2
    assert drawn[0].table.rows  # the figure's data, to print instead
