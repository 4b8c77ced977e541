"""Time a learner-activity import (lives in roadmap: it needs an initiative, and
measurement never imports roadmap): `manage.py bench_imports --rows 100000`.

Writes a CSV of N events (a few thousand learners over three months) to a temporary file,
runs it through a real import run (the COPY path on PostgreSQL, the bulk path on SQLite)
and prints rows per second; a second run of the same file shows the re-run cost. On
PostgreSQL the floor comes first: a bare `COPY` of the same file into an unindexed table,
in the same minute, and the import's rate is printed as a share of it (target: at least
half), with this process's peak resident memory (the worker runs the same function;
target: under 250 MB). The rows go into a throwaway organisation deleted afterwards.
"""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import connection
from django_scopes import scopes_disabled

from measurement import sources
from measurement.models import LearnerEvent, MetricSource, Program
from roadmap.models import Initiative, Roadmap
from roadmap_site.models import Organization


class Command(BaseCommand):
    help = "Time a learner-activity import of N rows and print rows per second."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument(
            "--statements",
            action="store_true",
            help="Print every SQL statement of the first run that took over 50 ms, and the commit.",
        )

    def handle(self, *args, rows: int, statements: bool = False, **options):
        self.statements = statements
        with scopes_disabled():
            name = f"Import bench {time.time_ns()}"
            org = Organization.objects.create(name=name, slug=Organization.unique_slug(name))
            roadmap = Roadmap.create_for_year(org=org, title="Bench", fiscal_year=2026)
            initiative = Initiative.objects.create(org=org, roadmap=roadmap, title="Bench program")
            program = Program.objects.for_initiative(initiative)
            source = MetricSource.objects.create(
                org=org, name="Bench", target="learner_activity", program=program
            )
            try:
                self._bench(source, rows)
            finally:
                org.delete()

    def _bench(self, source: MetricSource, rows: int) -> None:
        # The three months before today, every event a distinct second: all in the past
        # (a future time is refused), so every row is written once.
        step = max(1, 90 * 86400 // rows)
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=step * rows + 86400)
        verbs = ("launched", "attempted", "completed")
        with tempfile.NamedTemporaryFile("w+b", suffix=".csv") as handle:
            handle.write(b"learner_key,event_type,occurred_at\n")
            for i in range(rows):
                moment = start + timedelta(seconds=i * step)
                line = f"learner-{i % 5000},{verbs[i % 3]},{moment:%Y-%m-%dT%H:%M:%SZ}\n"
                handle.write(line.encode())
            handle.flush()
            floor = self._bare_copy(handle, rows) if connection.vendor == "postgresql" else None
            for label in ("first run", "same file again"):
                handle.seek(0)
                run = sources.start_run(source=source, file=File(handle, name="bench.csv"))
                sources.claim(run.pk)
                began = time.perf_counter()
                if self.statements and label == "first run":
                    with self._timed_statements():
                        run = sources.perform_run(run.pk)
                else:
                    run = sources.perform_run(run.pk)
                seconds = time.perf_counter() - began
                self.stdout.write(
                    f"{connection.vendor}, {label}: {run.rows_read:,} rows in {seconds:.2f} s = "
                    f"{run.rows_read / seconds:,.0f} rows/s (written {run.rows_written:,}, "
                    f"unchanged {run.rows_unchanged:,}, status {run.status})"
                )
                if floor and label == "first run":
                    share = run.rows_read / seconds / floor
                    verdict = "PASS" if share >= 0.5 else "FAIL"
                    self.stdout.write(
                        f"  import / bare COPY: {share:.0%} (target ≥ 50 %) {verdict}"
                    )
        # ru_maxrss is in kilobytes on Linux.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        verdict = "PASS" if peak < 250 else "FAIL"
        self.stdout.write(f"peak RSS of this process: {peak:.0f} MB (target < 250 MB) {verdict}")
        assert LearnerEvent.objects.filter(program=source.program).count() == rows

    @contextmanager
    def _timed_statements(self) -> Iterator[None]:
        """Print each statement over 50 ms (its first words) and each commit's time, with
        the time since the run began when it ended (a gap is COPY's or Python's)."""
        start = time.perf_counter()

        def timed(execute, sql, params, many, context):
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                seconds = time.perf_counter() - began
                if seconds > 0.05:
                    words = " ".join(str(sql).split())[:90]
                    at = time.perf_counter() - start
                    self.stdout.write(f"    {seconds:6.2f} s (at {at:6.2f})  {words}")

        commit = connection.commit

        def timed_commit() -> None:
            began = time.perf_counter()
            commit()
            at = time.perf_counter() - start
            self.stdout.write(f"    {time.perf_counter() - began:6.2f} s (at {at:6.2f})  COMMIT")

        connection.commit = timed_commit  # type: ignore[method-assign]
        try:
            with connection.execute_wrapper(timed):
                yield
        finally:
            del connection.commit

    def _bare_copy(self, handle, rows: int) -> float:
        """The floor: the same file through COPY into an unindexed temporary table."""
        handle.seek(0)
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_bare (learner_key text, event_type text, "
                "occurred_at text)"
            )
            with cursor.cursor.copy(
                "COPY bench_bare FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            seconds = time.perf_counter() - began
            cursor.execute("DROP TABLE bench_bare")
        rate = rows / seconds
        self.stdout.write(
            f"postgresql, bare COPY into an unindexed table: {rows:,} rows in {seconds:.2f} s = "
            f"{rate:,.0f} rows/s"
        )
        return rate
