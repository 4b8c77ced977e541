"""The demo's data sources: a file source whose run history has a failed run and a partly
written one, each with its refused row, and a paused daily URL source with its beat task;
loading the demo twice adds nothing."""

from __future__ import annotations

import pytest
from django_celery_beat.models import PeriodicTask

from measurement import demo as measurement_demo
from measurement.models import ImportRowError, ImportRun, MetricSource, RunStatus
from roadmap.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_sources_and_their_run():
    demo = load_demo()
    file_source = MetricSource.objects.get(org=demo.org, name=measurement_demo.DEMO_FILE_SOURCE)
    failed, run = ImportRun.objects.filter(source=file_source).order_by("pk")
    # All or nothing: one bad row, nothing written, the row listed.
    assert failed.status == RunStatus.FAILED and failed.rows_written == 0
    [error] = ImportRowError.objects.filter(run=failed)
    assert (error.column, error.value) == ("Month", "31/13/2026")
    assert run.status == RunStatus.PARTIAL
    # The readings it re-read were already there: a re-import changes nothing.
    assert (run.rows_read, run.rows_written, run.rows_unchanged, run.rows_rejected) == (5, 0, 4, 1)
    [error] = ImportRowError.objects.filter(run=run)
    assert (error.column, error.value) == ("Month", "31/13/2026")
    url_source = MetricSource.objects.get(org=demo.org, name=measurement_demo.DEMO_URL_SOURCE)
    assert not url_source.enabled and url_source.has_secret
    task = PeriodicTask.objects.get(pk=url_source.periodic_task_id)
    assert not task.enabled
    load_demo()
    assert MetricSource.objects.filter(org=demo.org).count() == 2
    assert ImportRun.objects.filter(source__org=demo.org).count() == 2
