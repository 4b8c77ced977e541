"""The PDF engine: HTML → tagged PDF with WeasyPrint, Plotly figures → SVG with Kaleido.

Offline by construction. WeasyPrint follows every URL in the HTML it is given (`file://`
included), so the fetcher refuses anything outside the static roots; templates are
autoescaped, and the Celery task's time limit bounds a render that would not end. Kaleido
draws on the system Chromium (`PDF_BROWSER_PATH`) with the plotly.js shipped in the plotly
package and MathJax off (its default is a CDN); it never downloads a browser.

Every app renders through here: `render_pdf()` for the document, one `ChartRenderer` per
job for its charts. Where no browser can draw a chart it becomes the table of its data,
with a note, and the PDF still renders.
"""

from __future__ import annotations

import asyncio
import html as html_lib
import logging
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from weasyprint import HTML
from weasyprint.logger import PROGRESS_LOGGER
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

CREATOR = "L&D Roadmap"
# Tagged for assistive technology by default; archived documents are PDF/A-3a, which is
# PDF/A-3 *with* the structure tree ("a": accessible), so archiving loses no tags.
ACCESSIBLE_VARIANT = "pdf/ua-1"
ARCHIVAL_VARIANT = "pdf/a-3a"


# Documents ------------------------------------------------------------------------------


def static_roots() -> list[Path]:
    roots = [Path(p).resolve() for p in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


class StaticOnlyFetcher(URLFetcher):
    """Serves `file:` URLs inside the static roots and `data:` URLs; refuses the rest."""

    def __init__(self) -> None:
        super().__init__(timeout=5, allowed_protocols={"file", "data"}, allow_redirects=False)
        self.roots = static_roots()

    def fetch(self, url: str, headers=None):
        # Check the path urllib will open: the scheme is case-insensitive and the path
        # percent-decoded (`FILE:`, `%2e%2e/`), so a prefix test on the raw URL is bypassed.
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(url2pathname(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"Refusing to load {url}: outside the static files.")
        return super().fetch(url, headers)


class ChartFetcher(StaticOnlyFetcher):
    """Also answers `chart:<n>` (a chart `renderer` draws ahead) with its SVG, waiting for
    it; a chart that became a table is a failed fetch, noted in `tables`, and the caller
    renders again with the table in place (an image cannot become one)."""

    def __init__(self, renderer: ChartRenderer) -> None:
        super().__init__()
        self.renderer = renderer
        self.tables = 0

    def fetch(self, url: str, headers=None):
        if not url.startswith("chart:"):
            return super().fetch(url, headers)
        chart = self.renderer.drawn_ahead(url)
        if not self.renderer.waiting:  # the last one: the browser quits during the layout
            self.renderer.close_soon()
        if not chart.svg:
            self.tables += 1
            raise ValueError(f"{url} is a table: {chart.note}")
        return URLFetcherResponse(url, chart.svg.encode(), {"Content-Type": "image/svg+xml"})


def static_base_url() -> str:
    """Base URL for templates' relative links: the folder holding `css/pdf.css`."""
    found = finders.find("css/pdf.css")
    base = Path(found).parent.parent if found else static_roots()[0]
    return base.as_uri() + "/"


# WeasyPrint's progress log, step by step, as the share of its work done at that point.
# Layout (step 5) is most of the time and logs each page; it moves 30 % → 85 % with them.
_STEP_SHARE = {"1": 0.02, "2": 0.05, "3": 0.1, "4": 0.25, "6": 0.85, "7": 0.95}
_PAGE = re.compile(r"Step 5 - Creating layout - Page (\d+)")


class _ProgressHandler(logging.Handler):
    """Reports WeasyPrint's progress log lines from this thread only as a share 0 to 1."""

    def __init__(self, report: Callable[[float], None], expected_pages: int) -> None:
        super().__init__(level=logging.INFO)
        self.report, self.expected_pages = report, max(expected_pages, 1)
        self.thread = threading.get_ident()
        self.last = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        message = record.getMessage()
        if page := _PAGE.match(message):
            share = 0.3 + 0.55 * min(int(page.group(1)) / self.expected_pages, 1)
        else:
            step = message.removeprefix("Step ").split(" ", 1)[0]
            share = _STEP_SHARE.get(step, self.last)
        if share > self.last:
            self.last = share
            self.report(share)


@contextmanager
def _progress(report: Callable[[float], None] | None, expected_pages: int) -> Iterator[None]:
    if report is None:
        yield
        return
    handler = _ProgressHandler(report, expected_pages)
    # Heard here only: the lines stay out of the worker's log.
    level, propagate = PROGRESS_LOGGER.level, PROGRESS_LOGGER.propagate
    PROGRESS_LOGGER.addHandler(handler)
    PROGRESS_LOGGER.setLevel(logging.INFO)
    PROGRESS_LOGGER.propagate = False
    try:
        yield
    finally:
        PROGRESS_LOGGER.removeHandler(handler)
        PROGRESS_LOGGER.setLevel(level)
        PROGRESS_LOGGER.propagate = propagate


def render_pdf(
    html: str,
    *,
    base_url: str | None = None,
    archival: bool = False,
    title: str,
    lang: str = "en",
    progress: Callable[[float], None] | None = None,
    expected_pages: int = 20,
    identifier: bytes | None = None,
    url_fetcher: URLFetcher | None = None,
) -> bytes:
    """The HTML as a tagged PDF (PDF/UA-1), or PDF/A-3a when `archival`.

    `title` and `lang` become the document's metadata (and `/Lang` on its catalogue), over
    whatever the HTML says; relative URLs resolve against `base_url` (default: the static
    folder, so `css/pdf.css` works) and only static files and `data:` URLs are loaded.
    Fonts are embedded, subset. `progress`, when given, is called with the share of the
    render done (0 to 1) as WeasyPrint reports its steps; `expected_pages` scales it.

    `identifier`: the PDF's /ID. WeasyPrint's default is a hash of the output (so of its
    dates too); a document that must render to the same bytes again passes its own, and
    dates itself with `<meta name="dcterms.created">`.

    `url_fetcher`: a `StaticOnlyFetcher` of the caller's (a `ChartFetcher`); by default one
    of its own.
    """
    variant = ARCHIVAL_VARIANT if archival else ACCESSIBLE_VARIANT
    options: dict[str, Any] = {"pdf_variant": variant, "pdf_tags": True}
    if identifier is not None:
        options["pdf_identifier"] = identifier
    with _progress(progress, expected_pages):
        document = HTML(
            string=html,
            base_url=base_url or static_base_url(),
            url_fetcher=url_fetcher or StaticOnlyFetcher(),
        ).render(**options)
        document.metadata.title = title
        document.metadata.lang = lang
        document.metadata.generator = CREATOR
        return document.write_pdf(**options)


# Charts -------------------------------------------------------------------------------

# Drawn this many CSS pixels wide, then scaled to the column (about 680 px on A4): text in
# the figure keeps a readable size without being redrawn for each paper size.
CHART_WIDTH = 760
CHART_START_TIMEOUT = 30.0
CHART_TIMEOUT = 20.0


@dataclass(frozen=True)
class ChartTable:
    """A figure's data as rows: what a chart falls back to, and what its alt text reads."""

    headers: list[str]
    rows: list[list[str]]
    dated: bool = False  # the first column holds dates (a trend), not categories


@dataclass(frozen=True)
class Chart:
    """One chart ready for a template: `{{ chart }}` places it.

    `svg` is the drawing (with `alt` as its `<title>`, which the tagged PDF's /Figure
    carries as /Alt); when it is empty the chart is its `table`, captioned with `alt` and
    followed by `note`, the reason it is a table.
    """

    alt: str
    svg: str = ""
    table: ChartTable = field(default_factory=lambda: ChartTable([], []))
    note: str = ""
    # A chart still being drawn (`ChartRenderer.draw_ahead`): placed as an image of this
    # URL, which `ChartFetcher` answers with the SVG once the browser has drawn it.
    src: str = ""

    @property
    def drawn(self) -> bool:
        return bool(self.svg or self.src)

    def __html__(self) -> SafeString:
        if self.src:
            return format_html(
                '<div class="chart"><img src="{}" alt="{}"></div>', self.src, self.alt
            )
        if self.svg:
            return format_html('<div class="chart">{}</div>', mark_safe(self.svg))  # noqa: S308 (Kaleido's SVG of escaped figure text)
        head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in self.table.headers))
        body = format_html_join(
            "",
            "<tr>{}</tr>",
            (
                (
                    format_html(
                        '<th scope="row">{}</th>{}',
                        row[0],
                        format_html_join("", "<td>{}</td>", ((cell,) for cell in row[1:])),
                    ),
                )
                for row in self.table.rows
            ),
        )
        return format_html(
            '<div class="chart chart-table"><table><caption>{}</caption>'
            "<thead><tr>{}</tr></thead><tbody>{}</tbody></table>"
            '<p class="chart-note">{}</p></div>',
            self.alt,
            head,
            body,
            self.note,
        )

    def __str__(self) -> str:
        return self.__html__()


class ChartUnavailable(Exception):
    """No browser could draw the chart: none installed, it would not start, or it hung."""


class ChartRenderer:
    """One Kaleido browser per job, reused for every chart of it.

        with ChartRenderer() as charts:
            chart = charts.svg(figure, alt="Initiatives per cycle: …")

    The browser starts with the first chart (a document without charts starts none) on
    its own event loop in a thread, so callers stay synchronous. If it cannot start or stops
    answering (`timeout`), that is remembered and every later chart of the job is its table;
    a chart the browser refuses (an error) alone is its table, and the next one is drawn.

    A job that knows it will draw calls `start()` first: Chromium opens (a second or more)
    while the job reads its data, and the first chart waits only for what is left. Once the
    last chart is drawn, `close_soon()` lets the browser quit while the document is laid out;
    `close()` (or the end of the `with`) waits for it.
    """

    def __init__(
        self,
        *,
        browser_path: str | None = None,
        timeout: float = CHART_TIMEOUT,
        start_timeout: float = CHART_START_TIMEOUT,
    ) -> None:
        self.browser_path = browser_path or settings.PDF_BROWSER_PATH
        self.timeout, self.start_timeout = timeout, start_timeout
        self.drawn = 0
        self.tables = 0
        self.unavailable = ""  # why no chart can be drawn in this job, once known
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None
        self._opening: Future | None = None  # the browser being opened, until it is
        self._closing: Future | None = None  # the browser quitting, until it has
        self._pending: list[tuple[Future, dict, str]] = []  # draw_ahead's, in order
        self._finished: dict[int, Chart] = {}

    def __enter__(self) -> ChartRenderer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def svg(self, figure: dict, *, alt: str, width: int = CHART_WIDTH) -> Chart:
        """The figure drawn as SVG, or as its table with a note when no browser can.

        `width`: CSS pixels the figure is laid out in before it is scaled to the column; a
        figure made for a wide screen (the timeline) keeps its labels apart with more.
        """
        table = figure_table(figure)
        try:
            markup = self._draw(figure, width)
        except ChartUnavailable as reason:
            self.tables += 1
            return Chart(alt=alt, table=table, note=f"Chart shown as a table: {reason}.")
        self.drawn += 1
        return Chart(alt=alt, svg=_titled(_stable_ids(markup, self.drawn), alt), table=table)

    def draw_ahead(
        self, figures: list[tuple[dict, str]], *, width: int = CHART_WIDTH
    ) -> list[Chart]:
        """Queue every `(figure, alt)` with the browser and return at once, each as a chart
        still being drawn (an image of `chart:<n>`, see `ChartFetcher`), so the document is
        parsed and styled while the browser draws. Raises `ChartUnavailable` when no browser
        can draw (then draw each with `svg()`: tables).

        The browser need not be open yet: each chart is drawn as soon as it is, and the
        document is parsed meanwhile (a browser that then fails to open makes each chart a
        failed fetch, so the caller renders again with tables)."""
        self.start()
        if self.unavailable:
            raise ChartUnavailable(self.unavailable)
        charts = []
        for figure, alt in figures:
            number = len(self._pending) + 1
            self._pending.append((self._submit(figure, width), figure, alt))
            charts.append(Chart(alt=alt, src=f"chart:{number}", table=figure_table(figure)))
        return charts

    @property
    def waiting(self) -> int:
        """How many charts queued by `draw_ahead` were not collected yet."""
        return len(self._pending) - len(self._finished)

    def drawn_ahead(self, src: str) -> Chart:
        """The chart queued as `src` by `draw_ahead`, once drawn: its SVG, or its table with
        the reason (waiting at most `timeout` for it). The same chart when asked again."""
        number = int(src.removeprefix("chart:"))
        if number not in self._finished:
            future, figure, alt = self._pending[number - 1]
            table = figure_table(figure)
            try:
                markup = self._collect(future)
            except ChartUnavailable as reason:
                self.tables += 1
                chart = Chart(alt=alt, table=table, note=f"Chart shown as a table: {reason}.")
            else:
                self.drawn += 1
                chart = Chart(alt=alt, svg=_titled(_stable_ids(markup, number), alt), table=table)
            self._finished[number] = chart
        return self._finished[number]

    def _draw(self, figure: dict, width: int) -> str:
        return self._collect(self._submit(figure, width))

    def _submit(self, figure: dict, width: int) -> Future:
        if self.unavailable:
            raise ChartUnavailable(self.unavailable)
        if self._kaleido is None and self._opening is None:
            self._wait_for_browser()
        layout = figure.get("layout") or {}
        opts = {"format": "svg", "width": width, "height": int(layout.get("height") or 360)}
        assert self._loop is not None
        if self._kaleido is not None:
            return asyncio.run_coroutine_threadsafe(
                self._kaleido.calc_fig(figure, opts=opts), self._loop
            )
        # Still opening: queued in the browser's loop, drawn the moment it is open, while
        # this thread goes on (`_collect` waits for the opening first, `start_timeout`).
        assert self._opening is not None
        opening = self._opening

        async def once_open() -> Any:
            browser = await asyncio.wrap_future(opening)
            return await browser.calc_fig(figure, opts=opts)

        return asyncio.run_coroutine_threadsafe(once_open(), self._loop)

    def _collect(self, future: Future) -> str:
        if self._kaleido is None and self._opening is not None:
            try:
                self._wait_for_browser()  # at most `start_timeout`; the chart then `timeout`
            except ChartUnavailable:
                future.cancel()
                raise
        if self.unavailable:  # an earlier chart hung: this one is not waited for
            future.cancel()
            raise ChartUnavailable(self.unavailable)
        try:
            image = future.result(timeout=self.timeout)
        except FutureTimeout:
            # A browser that hangs once would make every later chart wait as long: the rest
            # of the job's charts are tables at once.
            future.cancel()
            self.unavailable = "the browser that draws charts stopped answering"
            log.warning("A chart took over %s s to draw; the job's charts are tables", self.timeout)
            raise ChartUnavailable(self.unavailable) from None
        except Exception as exc:
            log.warning("A chart could not be drawn; shown as a table", exc_info=True)
            raise ChartUnavailable("the chart could not be drawn") from exc
        return image.decode() if isinstance(image, bytes) else str(image)

    def start(self) -> None:
        """Open the browser without waiting for it; the first chart waits for the rest.

        Safe to call twice, and after charts were drawn. A browser that is missing or whose
        engine is not installed is noticed here (logged once; every chart is then a table),
        one that fails to open when the first chart waits for it.
        """
        if self.unavailable or self._opening is not None or self._kaleido is not None:
            return
        if self._closing is not None:
            raise RuntimeError("The chart browser is quitting: draw every chart before.")
        if not Path(self.browser_path).is_file():
            self.unavailable = "no browser is installed to draw it"
            log.warning("No browser at %s: charts become tables", self.browser_path)
            return
        try:
            import kaleido  # a few hundred ms: only once a chart is drawn
            import plotly
        except ImportError:
            self.unavailable = "the chart engine (Kaleido) is not installed"
            log.warning("Kaleido is not installed: charts become tables")
            return
        plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="chart-renderer", daemon=True
        )
        self._thread.start()

        async def open_browser():
            browser = _tabs_kept(kaleido.Kaleido)(
                path=self.browser_path,
                plotlyjs=plotly_js.as_uri(),
                mathjax=False,
                # Ours alone (`_collect`): with Kaleido's own the same length, a hung chart
                # could end as its error ("could not be drawn", the next one waited for
                # again) rather than as the browser that stopped answering.
                timeout=None,
            )
            await browser.open()
            return browser

        self._opening = asyncio.run_coroutine_threadsafe(open_browser(), self._loop)

    def _wait_for_browser(self) -> None:
        if self._kaleido is not None:  # open already
            return
        self.start()
        if self.unavailable:
            raise ChartUnavailable(self.unavailable)
        assert self._opening is not None  # start() either opens or says why not
        try:
            self._kaleido = self._opening.result(timeout=self.start_timeout)
        except Exception as exc:
            self._opening.cancel()
            self.unavailable = "the browser that draws charts did not start"
            log.warning("Kaleido could not start %s", self.browser_path, exc_info=True)
            self._stop_loop()
            raise ChartUnavailable(self.unavailable) from exc
        finally:
            self._opening = None

    def close_soon(self) -> None:
        """Let the browser quit in its thread while the caller goes on; no chart can be drawn
        after this (a later one would open another browser). `close()` waits for it."""
        if self._opening is not None:  # started but never waited for: it quits once open
            self._wait_quietly(self._opening, "open")
            self._opening = None
        if self._kaleido is not None and self._loop is not None and self._closing is None:
            self._closing = asyncio.run_coroutine_threadsafe(self._kaleido.close(), self._loop)
            self._kaleido = None

    def close(self) -> None:
        """Quit the browser and its loop; safe to call twice."""
        self.close_soon()
        if self._closing is not None:
            self._wait_quietly(self._closing, "close")
            self._closing = None
        self._stop_loop()

    def _wait_quietly(self, future: Future, what: str) -> None:
        try:
            result = future.result(timeout=10)
        except Exception:
            log.warning("The chart browser did not %s cleanly", what, exc_info=True)
            return
        if what == "open":
            self._kaleido = result

    def _stop_loop(self) -> None:
        if self._loop is None:
            return

        async def drain() -> None:
            # A chart given up on (timeout) may still be running: end it here, quietly.
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            asyncio.run_coroutine_threadsafe(drain(), self._loop).result(timeout=5)
        except Exception:
            log.warning("The chart browser's tasks did not end cleanly", exc_info=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        if not self._loop.is_running():
            self._loop.close()
        self._loop, self._thread = None, None


def _tabs_kept(kaleido_class: type) -> type:
    """Kaleido's browser, but a tab goes back to the queue as it is after a chart.

    Kaleido reloads the tab after every chart (and only then returns the chart): plotly.js
    parsed again each time, about 0.2 s of CPU and of waiting per chart, 7 charts 1.7 s
    against 0.35 s without. Plotly.toImage draws each figure in a div of its own and
    purges it, so nothing of a chart is left in the page for the next; our figures load
    nothing (no MathJax, no maps). A chart that hangs makes the job's other charts tables
    (`ChartRenderer._collect`), so a tab in a bad state is not used again either. Should
    Kaleido drop the hook, its own class is used unchanged (slower, still correct).
    """
    if not hasattr(kaleido_class, "_return_kaleido_tab"):
        return kaleido_class

    class TabsKept(kaleido_class):
        async def _return_kaleido_tab(self, tab: Any) -> None:
            await self.tabs_ready.put(tab)

    return TabsKept


_PLOTLY_UID = re.compile(r'id="defs-([0-9a-f]+)"')


def _stable_ids(svg: str, number: int) -> str:
    """Plotly names its clip paths and defs after a random id per figure (`clip77de34xy`);
    here it becomes the chart's number in the job (`c2xy`), so the same figures draw the
    same SVG again (a regenerated report keeps its bytes) and the charts of one document
    still have ids of their own (inline SVGs share the page's id space)."""
    found = _PLOTLY_UID.search(svg)
    if found is None:
        return svg
    # Only where it follows a name (`clip…`, `defs-…`), never a colour (`#…`) or text.
    return re.sub(rf"(?<=[a-z-]){found.group(1)}", f"c{number}", svg)


def _titled(svg: str, alt: str) -> str:
    """The SVG with `alt` as its first child `<title>`: WeasyPrint's tagged PDF reads the
    /Alt of an inline SVG's /Figure from there. The XML prolog, if any, goes."""
    start = svg.find("<svg")
    end = svg.find(">", start)
    if start < 0 or end < 0:
        raise ChartUnavailable("the chart could not be drawn")
    title = f"<title>{html_lib.escape(alt, quote=False)}</title>"
    return svg[start : end + 1] + title + svg[end + 1 :]


# A figure's data as a table, and in words --------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
DAY_MS = 24 * 60 * 60 * 1000


def _plain(value: Any) -> str:
    """Figure text as typed: Plotly's markup (`<b>`, entities) removed."""
    return html_lib.unescape(_TAG.sub("", str(value)))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}".rstrip("0")
    if isinstance(value, list):  # a multicategory axis: (group, item)
        return " · ".join(_plain(v) for v in value)
    return _plain(value)


def _axis_title(layout: dict, axis: str, fallback: str) -> str:
    title = (layout.get(axis) or {}).get("title") or {}
    text = title.get("text") if isinstance(title, dict) else title
    return _plain(text) if text else fallback


def _tick_names(layout: dict, axis: str) -> dict:
    spec = layout.get(axis) or {}
    return dict(zip(spec.get("tickvals") or [], spec.get("ticktext") or [], strict=False))


def _points(trace: dict) -> list[tuple[Any, Any]]:
    xs, ys = trace.get("x") or [], trace.get("y") or []
    if trace.get("orientation") == "h":
        xs, ys = ys, xs
    if isinstance(xs, list) and len(xs) == 2 and all(isinstance(v, list) for v in xs):
        xs = [list(pair) for pair in zip(*xs, strict=False)]  # multicategory
    return [(x, y) for x, y in zip(xs, ys, strict=False) if x is not None]


def figure_table(figure: dict) -> ChartTable:
    """The figure's data as a table a reader can use instead of the drawing.

    Bars with a start (`base`, a Gantt) become one row per bar: label, start, end, series.
    Otherwise the rows are the categories or dates, one column per series, which reads for
    bars and lines alike. Helper lines that are not data (hover skipped: dependency arrows,
    a planned trajectory) are left out.
    """
    layout = figure.get("layout") or {}
    traces = [t for t in figure.get("data") or [] if t.get("hoverinfo") != "skip" and _points(t)]
    category_axis = "yaxis" if any(t.get("orientation") == "h" for t in traces) else "xaxis"
    names = _tick_names(layout, category_axis)
    if any(t.get("base") for t in traces):
        rows = []
        for trace in traces:
            status = _cell(trace.get("name"))
            for base, (category, length) in zip(trace["base"], _points(trace), strict=False):
                start = date.fromisoformat(str(base)[:10])
                end = start + timedelta(days=max(round(float(length) / DAY_MS), 1) - 1)
                label = _cell(names.get(category, category))
                rows.append([label, start.isoformat(), end.isoformat(), status])
        return ChartTable(["Item", "Start", "End", "Status"], rows)
    value_axis = "xaxis" if category_axis == "yaxis" else "yaxis"
    value_title = _axis_title(layout, value_axis, "Value")
    series = [_cell(t.get("name")) or value_title for t in traces]
    values: dict[str, dict[int, Any]] = {}
    for index, trace in enumerate(traces):
        for category, value in _points(trace):
            named = category if isinstance(category, list) else names.get(category, category)
            values.setdefault(_cell(named), {})[index] = value
    dated = (layout.get(category_axis) or {}).get("type") == "date"
    keys = sorted(values) if dated else list(values)
    first = _axis_title(layout, category_axis, "Date" if dated else "Category")
    return ChartTable(
        [first, *series],
        [[key, *(_cell(values[key].get(i)) for i in range(len(series)))] for key in keys],
        dated=dated,
    )


def describe_figure(figure: dict, *, title: str) -> str:
    """Alt text from the figure's data: a few categories' values one by one; a trend's
    extent and each series' first and last value; a Gantt's span and bars per status.

    Short on purpose (a screen reader reads it whole): the full data is the chart's table.
    """
    table = figure_table(figure)
    if not table.rows:
        return f"{title}: no data yet."
    if table.headers[1:4] == ["Start", "End", "Status"]:
        starts = sorted(row[1] for row in table.rows)
        ends = sorted(row[2] for row in table.rows)
        statuses: dict[str, int] = {}
        for row in table.rows:
            statuses[row[3]] = statuses.get(row[3], 0) + 1
        counts = ", ".join(f"{n} {status.lower()}" for status, n in statuses.items())
        return f"{title}: {len(table.rows)} bars from {starts[0]} to {ends[-1]} ({counts})."
    if len(table.rows) <= 12 and not table.dated:  # a few categories: each value, in order
        parts = [title]
        for column, name in enumerate(table.headers[1:], start=1):
            each = ", ".join(f"{row[0]} {row[column] or 'none'}" for row in table.rows)
            parts.append(f"{name}: {each}")
        return "; ".join(parts) + "."
    parts = [f"{title}: {table.headers[0].lower()} {table.rows[0][0]} to {table.rows[-1][0]}"]
    for column, name in enumerate(table.headers[1:], start=1):
        cells = [(row[0], row[column]) for row in table.rows if row[column]]
        if not cells:
            continue
        if len(cells) == 1:
            parts.append(f"{name} {cells[0][1]}")
        else:
            (first_at, first), (last_at, last) = cells[0], cells[-1]
            parts.append(f"{name} from {first} ({first_at}) to {last} ({last_at})")
    return "; ".join(parts) + "."
