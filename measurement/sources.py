"""Metric sources: running an import, previewing one, its schedule, its credentials.

A run reads the source's rows (a stored upload, or the document at its address), cleans
each against the target's fields, and hands valid rows in batches to the target's writer
(`measurement.targets`), the same functions the forms use.

Atomicity, the choice made: each run writes inside ONE transaction. A worker killed
midway (SIGKILL, out of memory, redeploy) therefore leaves nothing of that run in the
database; the stale sweep (`fail_stale_runs`, every minute from beat) marks the run failed,
and the next run, idempotent by the writers' upserts on natural keys, does the whole work.
Per-batch commits would have needed a resume cursor and would show half a file to readers
in between; a single transaction is simpler and the COPY path keeps it short. Progress
cannot be read from a transaction that has not committed, so it goes to the cache.
With all-or-nothing, the transaction is rolled back when any row was refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import IO, Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from measurement import engagement, fetch, tabular, targets
from measurement.figures import Finding
from measurement.models import ImportRowError, ImportRun, MetricSource, RunStatus, SourceKind
from measurement.models.sources import FAILING_AFTER, MAX_ROW_ERRORS, Schedule
from roadmap_site.models import Organization

log = logging.getLogger(__name__)
PREVIEW_ROWS = 10
# What a URL source's preview downloads of a CSV document: plenty for PREVIEW_ROWS rows.
PREVIEW_BYTES = 256 * 1024
# An upload waits this long for its confirmation (the preview's signed token) before the
# sweep removes it.
UPLOAD_MAX_AGE = timedelta(hours=1)
PENDING_UPLOADS = "imports/pending"
SCHEDULED_TASK = "measurement.tasks.run_scheduled_source"


class SourceProblem(ValueError):
    """The run cannot go on (a missing column, a cap, a refused address); the message is
    shown on the run's page."""


# Credentials ------------------------------------------------------------------------------


def _fernet() -> Fernet:
    key = settings.SOURCE_CREDENTIALS_KEY
    if not key:
        digest = hashlib.sha256(b"metric-source-credentials:" + settings.SECRET_KEY.encode())
        key = base64.urlsafe_b64encode(digest.digest()).decode()
    return Fernet(key)


def encrypt_secret(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt_secret(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SourceProblem(
            "The stored credential cannot be read (the key changed): enter it again."
        ) from None


def request_headers(source: MetricSource) -> dict[str, str]:
    if source.header_name and source.header_secret:
        return {source.header_name: decrypt_secret(source.header_secret)}
    return {}


# Schedule ---------------------------------------------------------------------------------


def crontab_fields(source: MetricSource) -> dict[str, str]:
    """The crontab of a source's schedule. Fixed schedules start at a minute spread by
    the source's id, so a hundred daily sources do not all fire at 03:00:00."""
    minute = str(source.pk % 60)
    match source.schedule:
        case Schedule.HOURLY:
            return {"minute": minute, "hour": "*", "day_of_week": "*"}
        case Schedule.DAILY:
            return {"minute": minute, "hour": "3", "day_of_week": "*"}
        case Schedule.WEEKLY:
            return {"minute": minute, "hour": "3", "day_of_week": "1"}
    minute, hour, day_of_month, month, day_of_week = source.cron.split()
    return {
        "minute": minute,
        "hour": hour,
        "day_of_month": day_of_month,
        "month_of_year": month,
        "day_of_week": day_of_week,
    }


@transaction.atomic
def sync_schedule(source: MetricSource) -> None:
    """Create, update or delete the source's django-celery-beat task to match it. Beat's
    DatabaseScheduler sees the change through PeriodicTasks' change marker."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    task = source.periodic_task
    if not source.schedule or source.kind != SourceKind.URL:
        if task is not None:
            source.periodic_task = None
            source.save(update_fields=["periodic_task"])
            task.delete()
        return
    fields = {"day_of_month": "*", "month_of_year": "*", **crontab_fields(source)}
    crontab, _ = CrontabSchedule.objects.get_or_create(timezone=source.org.zone, **fields)
    values = {
        "crontab": crontab,
        "task": SCHEDULED_TASK,
        "args": json.dumps([source.pk]),
        "enabled": source.enabled,
        "description": f"Import “{source.name}” ({source.org})",
    }
    if task is None:
        task = PeriodicTask.objects.create(name=f"metric-source-{source.pk}", **values)
        source.periodic_task = task
        source.save(update_fields=["periodic_task"])
    else:
        for name, value in values.items():
            setattr(task, name, value)
        task.save()


@transaction.atomic
def delete_source(source: MetricSource) -> None:
    task = source.periodic_task
    source.delete()
    if task is not None:
        task.delete()


# Reading rows -----------------------------------------------------------------------------


@dataclass
class CleanRow:
    number: int
    raw: list[Any]
    values: dict[str, Any]
    problems: list[targets.Refusal] = field(default_factory=list)


def column_index(header: list[str], mapping: dict[str, str], target: targets.Target) -> dict:
    """Each field's column position; raises SourceProblem for a required field with no
    column. A field's column is the mapping's, else the column named like the field."""
    positions = {h.strip().lower(): i for i, h in enumerate(header) if h}
    found: dict[str, int | None] = {}
    missing = []
    for f in target.fields:
        column = (mapping.get(f.name) or f.name).strip().lower()
        found[f.name] = positions.get(column)
        if found[f.name] is None and f.required:
            missing.append(f"{f.name} (column “{mapping.get(f.name) or f.name}”)")
    if missing:
        raise SourceProblem("No column for " + ", ".join(missing) + ".")
    return found


def clean_rows(
    table: tabular.Table, mapping: dict[str, str], source: MetricSource
) -> Iterator[CleanRow]:
    target = targets.TARGETS[source.target]
    positions = column_index(table.header, mapping, target)
    clean = row_cleaner(table.header, positions, source)
    for number, raw in table.rows:
        yield clean(number, raw)


def row_cleaner(
    header: list[str], positions: dict[str, int | None], source: MetricSource
) -> Callable[[int, list[Any]], CleanRow]:
    """The function that cleans one row (its number, its cells) against the source's
    target; the SQL path of learner activity asks it about the rows SQL leaves to Python."""
    target = targets.TARGETS[source.target]
    parsers = {f.name: targets.parser(f.kind, source) for f in target.fields}

    def clean(number: int, raw: list[Any]) -> CleanRow:
        row = CleanRow(number, raw, {})
        for f in target.fields:
            position = positions[f.name]
            value = raw[position] if position is not None and position < len(raw) else None
            column = header[position] if position is not None else f.name
            if tabular.is_blank(value):
                if f.required:
                    row.problems.append(targets.Refusal(number, "This value is missing.", column))
                continue
            try:
                row.values[f.name] = parsers[f.name](value)
            except tabular.ValueProblem as problem:
                row.problems.append(targets.Refusal(number, str(problem), column, str(value)[:300]))
        return row

    return clean


@dataclass
class Preview:
    header: list[str]
    rows: list[CleanRow]
    format: str
    encoding: str
    delimiter: str
    problem: str = ""  # the file as a whole (a missing column…)

    @property
    def encoding_label(self) -> str:
        return {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252"}.get(self.encoding, self.encoding)


def preview(*, source: MetricSource, stream: IO[bytes], mapping: dict[str, str]) -> Preview:
    """The first rows, cleaned and checked, without writing anything."""
    try:
        table = tabular.open_table(stream)
    except tabular.FileProblem as problem:
        return Preview([], [], "", "", "", str(problem))
    result = Preview(table.header, [], table.format, table.encoding, table.delimiter)
    try:
        for row in clean_rows(table, mapping, source):
            result.rows.append(row)
            if len(result.rows) >= PREVIEW_ROWS:
                break
    except SourceProblem as problem:
        result.problem = str(problem)
    return result


def open_source(run: ImportRun) -> tuple[IO[bytes], str]:
    """The bytes a run reads and their SHA-256."""
    source = run.source
    cap = settings.IMPORT_MAX_BYTES
    if source.kind == SourceKind.URL:
        try:
            fetched = fetch.fetch(source.url, headers=request_headers(source))
        except fetch.FetchRefused as refused:
            raise SourceProblem(str(refused)) from None
        return fetched.body, fetched.sha256
    if not run.file:
        raise SourceProblem("This run has no file to read.")
    if run.file.size > cap:
        raise SourceProblem(f"The file is larger than {cap:,} bytes.")
    stream = run.file.open("rb")
    digest = hashlib.sha256()
    while chunk := stream.read(1024 * 1024):
        digest.update(chunk)
    stream.seek(0)
    return stream, digest.hexdigest()


# Running ----------------------------------------------------------------------------------


def progress_key(run_id: int) -> str:
    return f"import-run:{run_id}:rows"


def progress(run: ImportRun) -> int:
    """Rows read so far: the cache while it runs, the run's count once it is done."""
    if run.status == RunStatus.RUNNING:
        return cache.get(progress_key(run.pk), 0)
    return run.rows_read


def claim(run_id: int) -> bool:
    """PENDING → RUNNING for exactly one worker; a second one gets False and stops."""
    return bool(
        ImportRun.objects.filter(pk=run_id, status=RunStatus.PENDING).update(
            status=RunStatus.RUNNING, started_at=timezone.now()
        )
    )


def release(run_id: int) -> None:
    """A run that will be retried (a network error) waits again."""
    ImportRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(status=RunStatus.PENDING)


def perform_run(run_id: int) -> ImportRun:
    """Do a claimed (RUNNING) run to the end. Raises fetch.FetchFailed for the task to
    retry; every other failure ends the run FAILED with its message."""
    run = ImportRun.objects.select_related("source__org", "source__program", "source__kpi").get(
        pk=run_id
    )
    source = run.source
    counts = {"read": 0, "written": 0, "unchanged": 0, "rejected": 0}
    refusals: list[targets.Refusal] = []
    error = ""
    try:
        stream, digest = open_source(run)
        run.file_hash = digest
        with stream, transaction.atomic():
            _write_rows(run, stream, counts, refusals)
            if source.all_or_nothing and counts["rejected"]:
                transaction.set_rollback(True)
                error = (
                    f"{counts['rejected']:,} row(s) refused, so nothing was written "
                    "(this source is all or nothing)."
                )
                counts["written"] = counts["unchanged"] = 0
    except fetch.FetchFailed:
        raise
    except (SourceProblem, tabular.FileProblem) as problem:
        error = str(problem)
    except Exception:
        log.exception("Import run %s failed", run_id)
        error = "The import stopped on an unexpected error; nothing of this run was written."
        counts["written"] = counts["unchanged"] = 0
    return _finish(run, counts, refusals, error)


def _write_rows(
    run: ImportRun, stream: IO[bytes], counts: dict[str, int], refusals: list[targets.Refusal]
) -> None:
    source = run.source
    target = targets.TARGETS[source.target]
    if target.needs:
        into = getattr(source, target.needs)
        if into is None:
            raise SourceProblem(f"Choose the {target.needs.upper()} this source writes to.")
        if into.org_id != source.org_id:  # never another organisation's rows
            raise SourceProblem(f"That {target.needs.upper()} belongs to another organisation.")
    table = tabular.open_table(stream)
    cap = settings.IMPORT_MAX_ROWS
    mapping = run.mapping or source.mapping
    if target.bulk is not None and table.format == "csv":
        positions = column_index(table.header, mapping, target)
        with _refused_as_source_problem():
            staged = target.bulk(
                source=source,
                stream=stream,
                table=table,
                positions=positions,
                clean=row_cleaner(table.header, positions, source),
                cap=cap,
                limit=MAX_ROW_ERRORS,
                progress=lambda rows: cache.set(progress_key(run.pk), rows, 3600),
            )
        if staged is not None:
            counts["read"], counts["rejected"] = staged.read, staged.rejected
            counts["written"], counts["unchanged"] = staged.written, staged.unchanged
            refusals.extend(staged.refusals)
            return
        stream.seek(0)  # a file COPY cannot read: row by row
        table = tabular.open_table(stream)
    with _refused_as_source_problem():
        writer = target.open(source)
    batch: list[targets.Row] = []

    def flush() -> None:
        with _refused_as_source_problem():
            outcome = writer.add(batch)
        _count(outcome, counts, refusals)
        batch.clear()
        cache.set(progress_key(run.pk), counts["read"], 3600)

    for row in clean_rows(table, mapping, source):
        counts["read"] += 1
        if counts["read"] > cap:
            raise SourceProblem(f"The file has more than {cap:,} rows; split it.")
        if row.problems:
            counts["rejected"] += 1
            refusals.extend(row.problems)
            del refusals[MAX_ROW_ERRORS:]
            continue
        batch.append(targets.Row(row.number, row.values))
        if len(batch) >= settings.IMPORT_BATCH:
            flush()
    if batch:
        flush()
    with _refused_as_source_problem():
        _count(writer.close(), counts, refusals)


@contextmanager
def _refused_as_source_problem() -> Iterator[None]:
    """A write the engagement rules refuse as a whole (its program deleted meanwhile) ends
    the run with that reason, as any other problem of the source does."""
    try:
        yield
    except engagement.EngagementError as error:
        raise SourceProblem(str(error)) from error


def _count(outcome: targets.Outcome, counts: dict[str, int], refusals: list) -> None:
    counts["written"] += outcome.written
    counts["unchanged"] += outcome.unchanged
    counts["rejected"] += len({r.row for r in outcome.refused})
    refusals.extend(outcome.refused)
    del refusals[MAX_ROW_ERRORS:]


@transaction.atomic
def _finish(
    run: ImportRun, counts: dict[str, int], refusals: list[targets.Refusal], error: str
) -> ImportRun:
    if error:
        status = RunStatus.FAILED
    elif counts["rejected"] and counts["rejected"] >= counts["read"]:
        status = RunStatus.FAILED
        error = "Every row was refused."
    elif counts["rejected"]:
        status = RunStatus.PARTIAL
    else:
        status = RunStatus.SUCCEEDED
    run.status, run.error, run.finished_at = status, error, timezone.now()
    run.rows_read, run.rows_written = counts["read"], counts["written"]
    run.rows_unchanged, run.rows_rejected = counts["unchanged"], counts["rejected"]
    run.save()
    ImportRowError.objects.bulk_create(
        ImportRowError(
            org_id=run.org_id,
            run=run,
            row=r.row,
            column=r.column[:150],
            value=r.value[:300],
            message=r.message[:300],
        )
        for r in refusals[:MAX_ROW_ERRORS]
    )
    record_outcome(run.source, failed=status == RunStatus.FAILED)
    cache.delete(progress_key(run.pk))
    return run


def record_outcome(source: MetricSource, *, failed: bool) -> None:
    sources = MetricSource.objects.filter(pk=source.pk)
    if failed:
        sources.update(consecutive_failures=F("consecutive_failures") + 1)
    else:
        sources.update(consecutive_failures=0)


def fail_run(run_id: int, error: str) -> None:
    """End a run that will not go on (retries exhausted), counting it as a failure."""
    run = ImportRun.objects.select_related("source").get(pk=run_id)
    if run.done:
        return
    _finish(run, {"read": 0, "written": 0, "unchanged": 0, "rejected": 0}, [], error)


def start_run(
    *, source: MetricSource, file: Any = None, mapping: dict[str, str] | None = None, by=None
) -> ImportRun:
    """A new PENDING run; the caller enqueues it with `tasks.run_import.delay_on_commit`."""
    run = ImportRun(
        org=source.org, source=source, mapping=mapping or source.mapping, requested_by=by
    )
    if file is not None:
        run.file.save(f"source-{source.pk}.{_suffix(file)}", file, save=False)
    run.save()
    return run


def _suffix(file: Any) -> str:
    name = str(getattr(file, "name", "") or "")
    return "xlsx" if name.lower().endswith(".xlsx") else "csv"


def stale_after() -> timedelta:
    return timedelta(seconds=settings.IMPORT_TIME_LIMIT + settings.IMPORT_STALE_MARGIN)


WORKER_LOST = (
    "The worker stopped during this run (killed or restarted); nothing of it was written. "
    "The next run will import the whole file."
)


def fail_stale_runs() -> int:
    """Fail runs still RUNNING after the hard time limit plus a margin: their worker is
    gone, and their transaction with it."""
    now = timezone.now()
    stale = list(
        ImportRun.objects.stale(now=now, older_than=stale_after()).select_related("source")
    )
    failed = 0
    for run in stale:
        # Re-checked: a run that finished since the read is left alone.
        if ImportRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, error=WORKER_LOST, finished_at=now
        ):
            record_outcome(run.source, failed=True)
            failed += 1
    if failed:
        log.warning("Failed %s stale import run(s)", failed)
    return failed


def remove_abandoned_uploads(now: datetime | None = None) -> int:
    """Delete uploads previewed but never imported, once their token has expired."""
    now = now or timezone.now()
    try:
        _, names = default_storage.listdir(PENDING_UPLOADS)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in names:
        path = f"{PENDING_UPLOADS}/{name}"
        if default_storage.get_modified_time(path) < now - UPLOAD_MAX_AGE - timedelta(minutes=5):
            default_storage.delete(path)
            removed += 1
    return removed


# Alerts -----------------------------------------------------------------------------------


FAILING_RULE = (
    f"A data source whose last {FAILING_AFTER} runs or more all failed (a file it could not "
    "read, an address that did not answer, every row refused)."
)


def failing_sources_findings(org: Organization, today: date) -> list[Finding]:
    """One finding per source whose last FAILING_AFTER (3) runs or more all failed."""
    findings = []
    for source in MetricSource.objects.for_org(org).failing().order_by("name"):
        last = source.runs.order_by("-created_at", "-pk").first()
        findings.append(
            Finding(
                subject=f"source:{source.pk}",
                title=f"The import “{source.name}” is failing",
                detail=f"{source.consecutive_failures} runs in a row failed"
                + (f"; the last said: {last.error}" if last and last.error else "."),
                url=reverse("measurement:source_detail", args=[source.pk]),
                state=f"failing:{source.consecutive_failures >= FAILING_AFTER}",
            )
        )
    return findings
