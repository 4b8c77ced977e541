"""Time the roadmap PDF export against its parts, measured bare in the same run:
`manage.py bench_pdf` (`make bench-pdf`).

On the scale organisation (`manage.py scale_data`, built when missing) and on the demo
roadmap (`manage.py seed_demo`, loaded when missing):

1. the export job as the worker runs it (`services.render_export`: claim, data, charts,
   HTML, WeasyPrint, the file stored), for a whole-roadmap export on A4;
2. its two engines bare, on the same figures and the same final HTML: Kaleido drawing every
   figure with one browser (start and quit included, as in the job), then WeasyPrint
   rendering the HTML alone.

It prints pages, charts and seconds, and the job's time over the sum of the parts (target
≤ 1.5x; the rest of the job is reading the roadmap, filling the template and storing the
file). A warm-up chart first, so no part pays for the browser's first read from disk.
The export rows and files it makes are deleted afterwards.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope
from pypdf import PdfReader

from roadmap import services
from roadmap.management.commands._pdf_bench import (
    TARGET_RATIO,
    Measure,
    bench_targets,
    first_roadmap,
    run_line,
    warm_up,
)
from roadmap.management.commands.scale_data import BENCH_EMAIL
from roadmap.models import Export, ExportOptions, ExportStatus, Roadmap
from roadmap.roadmap_pdf import draw_charts, roadmap_document
from roadmap_site.models import Membership
from roadmap_site.pdf import ChartRenderer, render_pdf


class Command(BaseCommand):
    help = "Time the roadmap PDF export against Kaleido and WeasyPrint alone (same run)."

    def add_arguments(self, parser):
        parser.add_argument("--skip-demo", action="store_true", help="Only the scale roadmap.")

    def handle(self, *args, skip_demo: bool, **options):
        write = self.stdout.write
        targets = bench_targets(self.stdout, skip_demo=skip_demo)
        write(run_line("bench_pdf"))
        warm_up()
        results = []
        for name, org in targets:
            with scope(organization=org):
                roadmap = first_roadmap(name, org)
                results.append(self.measure(name, roadmap))
        write("")
        write(
            "| roadmap | pages | charts (drawn) | job s | Kaleido alone s | WeasyPrint alone s "
            "| data s | job ÷ parts |"
        )
        write("|---|---:|---:|---:|---:|---:|---:|---:|")
        for m in results:
            verdict = "PASS" if m.ratio <= TARGET_RATIO else "FAIL"
            write(
                f"| {m.name} | {m.pages} | {m.charts} ({m.drawn}) | {m.job:.2f} | "
                f"{m.kaleido:.2f} | {m.weasyprint:.2f} | {m.reading:.2f} | "
                f"{m.ratio:.2f}x {verdict} |"
            )
        write(f"Target: job ÷ (Kaleido + WeasyPrint) ≤ {TARGET_RATIO}x.")

    def measure(self, name: str, roadmap: Roadmap) -> Measure:
        options = ExportOptions()
        user = (
            Membership.objects.filter(org=roadmap.org, user__email=BENCH_EMAIL).first()
            or Membership.objects.filter(org=roadmap.org).first()
        )
        export = Export.objects.create(
            org=roadmap.org,
            roadmap=roadmap,
            requested_by=user.user if user else None,
            options=options.as_json(),
        )
        try:
            began = time.perf_counter()
            services.render_export(export_id=export.pk)
            job = time.perf_counter() - began
            export.refresh_from_db()
            if export.status != ExportStatus.DONE:
                raise CommandError(f"The {name} export failed: {export.error}")
            with export.file.open("rb") as handle:
                pages = len(PdfReader(handle).pages)

            began = time.perf_counter()
            document = roadmap_document(roadmap, options)
            data = time.perf_counter() - began
            began = time.perf_counter()
            with ChartRenderer() as renderer:
                drawn = draw_charts(document, renderer)
            kaleido = time.perf_counter() - began
            html = document.html(drawn)
            began = time.perf_counter()
            render_pdf(html, title=document.title)
            weasyprint = time.perf_counter() - began
        finally:
            if export.file:
                export.file.delete(save=False)
            export.delete()
        measure = Measure(
            name=f"{name}: {roadmap.title}",
            pages=pages,
            charts=len(drawn),
            drawn=renderer.drawn,
            job=job,
            kaleido=kaleido,
            weasyprint=weasyprint,
            reading=data,
        )
        self.stdout.write(
            f"{measure.name}: {pages} pages, {len(drawn)} charts, job {job:.2f} s; bare: "
            f"Kaleido {kaleido:.2f} s + WeasyPrint {weasyprint:.2f} s; reading the data "
            f"{data:.2f} s; ratio {measure.ratio:.2f}x"
        )
        return measure
