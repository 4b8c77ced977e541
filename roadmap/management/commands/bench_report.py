"""Time the quarterly report job against its parts, measured bare in the same run:
`manage.py bench_report` (`make bench-report`).

On the scale organisation (`manage.py scale_data`, built when missing) and on the demo
roadmap (`manage.py seed_demo`, loaded when missing), for the quarter of the roadmap with
the most commitments:

1. the report job as the worker runs it (`report_jobs.build_report`: claim, alerts, the
   snapshot, charts, HTML, WeasyPrint, the file stored);
2. its two engines bare, on the same figures and the same final HTML: Kaleido drawing every
   chart with one browser (start and quit included, as in the job), then WeasyPrint
   rendering the HTML alone (the job's document: each chart an image of `chart:<n>`, here
   served at once from what Kaleido drew).

The job overlaps the two: the browser opens while the snapshot is taken, draws while
WeasyPrint parses and styles the document, and quits while it lays it out; so the job can
take less than the sum of its parts.

It prints pages, charts and seconds, the job's time over the sum of the parts (target
≤ 1.5x) and whether the job took under 5 s. Each measure runs in a transaction that is
rolled back, and the file it stored is deleted: an existing report of that quarter (the
demo's) is left as it was. A warm-up chart first, so no part pays for the browser's first
read from disk.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scope
from pypdf import PdfReader
from weasyprint.urls import URLFetcherResponse

from roadmap import report_jobs, reports
from roadmap.management.commands._pdf_bench import (
    TARGET_RATIO,
    Measure,
    bench_targets,
    first_roadmap,
    run_line,
    warm_up,
)
from roadmap.models import InitiativeStatus, QuarterlyReport, ReportStatus, Roadmap
from roadmap.reports import Quarter
from roadmap_site.pdf import Chart, ChartRenderer, StaticOnlyFetcher

TARGET_SECONDS = 5.0


class DrawnCharts(StaticOnlyFetcher):
    """Serves `chart:<n>` from SVGs already drawn: WeasyPrint alone, with nothing to wait for."""

    def __init__(self, svgs: dict[str, str]) -> None:
        super().__init__()
        self.svgs = svgs

    def fetch(self, url: str, headers=None):
        if url in self.svgs:
            return URLFetcherResponse(
                url, self.svgs[url].encode(), {"Content-Type": "image/svg+xml"}
            )
        return super().fetch(url, headers)


class Rollback(Exception):
    """Raised at the end of a measure so its rows go; carries the measure out."""

    def __init__(self, measure: Measure) -> None:
        self.measure = measure


def busiest_quarter(roadmap: Roadmap) -> Quarter:
    """The quarter of the roadmap's period with the most commitments in its cycles."""
    org = roadmap.org
    quarter = Quarter.of(org, roadmap.period_start)
    best, most = quarter, -1
    while quarter.start <= roadmap.period_end:
        count = (
            roadmap.initiatives.filter(cycle__start__lte=quarter.end, cycle__end__gte=quarter.start)
            .exclude(status=InitiativeStatus.PROPOSED)
            .count()
        )
        if count > most:
            best, most = quarter, count
        quarter = quarter.next(org)
    return best


class Command(BaseCommand):
    help = "Time the quarterly report job against Kaleido and WeasyPrint alone (same run)."

    def add_arguments(self, parser):
        parser.add_argument("--skip-demo", action="store_true", help="Only the scale roadmap.")

    def handle(self, *args, skip_demo: bool, **options):
        write = self.stdout.write
        targets = bench_targets(self.stdout, skip_demo=skip_demo)
        write(run_line("bench_report"))
        warm_up()
        results = []
        for name, org in targets:
            with scope(organization=org):
                roadmap = first_roadmap(name, org)
                try:
                    with transaction.atomic():
                        self.measure(name, roadmap)
                except Rollback as done:
                    results.append(done.measure)
        write("")
        write(
            "| report | pages | charts (drawn) | job s | Kaleido alone s | WeasyPrint alone s "
            "| snapshot s | job ÷ parts | job under 5 s |"
        )
        write("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for m in results:
            ratio = "PASS" if m.ratio <= TARGET_RATIO else "FAIL"
            seconds = "PASS" if m.job < TARGET_SECONDS else "FAIL"
            write(
                f"| {m.name} | {m.pages} | {m.charts} ({m.drawn}) | {m.job:.2f} | "
                f"{m.kaleido:.2f} | {m.weasyprint:.2f} | {m.reading:.2f} | "
                f"{m.ratio:.2f}x {ratio} | {seconds} |"
            )
        write(
            f"Targets: job ÷ (Kaleido + WeasyPrint) ≤ {TARGET_RATIO}x; a report of about 20 "
            f"pages with six charts in under {TARGET_SECONDS:.0f} s."
        )

    def measure(self, name: str, roadmap: Roadmap) -> None:
        """Measure in the caller's transaction; ends by raising `Rollback`."""
        quarter = busiest_quarter(roadmap)
        # A report the organisation already has for that quarter goes for the measure only.
        QuarterlyReport.objects.filter(roadmap=roadmap, quarter_start=quarter.start).delete()
        report, _ = report_jobs.get_or_create_report(roadmap, quarter, by=None, send=False)
        try:
            began = time.perf_counter()
            report_jobs.build_report(report_id=report.pk)
            job = time.perf_counter() - began
            report.refresh_from_db()
            if report.status != ReportStatus.DONE:
                raise CommandError(f"The {name} report failed: {report.error}")
            with report.file.open("rb") as handle:
                pages = len(PdfReader(handle).pages)

            snapshot, taken = report.snapshot, report.as_of
            assert taken is not None  # set with the snapshot
            began = time.perf_counter()
            reports.build_snapshot(
                roadmap, Quarter.of(roadmap.org, quarter.start, as_of=taken), taken=taken
            )
            snapshot_seconds = time.perf_counter() - began
            began = time.perf_counter()
            with ChartRenderer() as renderer:
                charts = reports.draw_report_charts(snapshot, renderer)
            kaleido = time.perf_counter() - began
            # The document as the job lays it out: each drawn chart an image of chart:<n>,
            # served here from what Kaleido drew above (the job waits for the browser).
            placed = {
                key: Chart(alt=chart.alt, src=f"chart:{n}", table=chart.table)
                if chart.svg
                else chart
                for n, (key, chart) in enumerate(charts.items(), start=1)
            }
            fetcher = DrawnCharts({placed[key].src: chart.svg for key, chart in charts.items()})
            html = reports.report_html(snapshot, placed)
            began = time.perf_counter()
            reports.render_report_html(html, snapshot, url_fetcher=fetcher)
            weasyprint = time.perf_counter() - began
        finally:
            if report.file:
                report.file.delete(save=False)
        measure = Measure(
            name=f"{name}: {roadmap.title}, {quarter.label}",
            pages=pages,
            charts=len(charts),
            drawn=renderer.drawn,
            job=job,
            kaleido=kaleido,
            weasyprint=weasyprint,
            reading=snapshot_seconds,
        )
        self.stdout.write(
            f"{measure.name}: {pages} pages, {len(charts)} charts, job {job:.2f} s; bare: "
            f"Kaleido {kaleido:.2f} s + WeasyPrint {weasyprint:.2f} s; the snapshot "
            f"{snapshot_seconds:.2f} s; ratio {measure.ratio:.2f}x"
        )
        raise Rollback(measure)
