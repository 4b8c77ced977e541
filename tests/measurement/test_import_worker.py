"""A real Celery worker on Redis does import runs: one the web process queued after an
upload, and one beat would start for a URL source (a local HTTP server, the worker allowed
to reach it). Deselected unless CELERY_BROKER_URL is set and the database is PostgreSQL."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from measurement import sources, tasks
from measurement.models import ImportRun, KpiValue, MetricSource, RunStatus
from roadmap_site.celery import app as celery_app
from tests.factories import KpiFactory, OrganizationFactory
from tests.roadmap.test_export_worker import celery_worker, wait_for

pytestmark = [pytest.mark.integration]

CSV = b"date;value\n01/05/2026;10,5\n02/05/2026;oops\n"


class Feed(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(CSV)))
        self.end_headers()
        self.wfile.write(CSV)

    def log_message(self, *args):
        pass


def finished(run: ImportRun):
    run.refresh_from_db()
    return run.done


def test_a_real_worker_imports_an_upload_and_a_scheduled_url(transactional_db, tmp_path):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    env = {"IMPORT_ALLOW_PRIVATE_URLS": "true"}
    try:
        with celery_worker(tmp_path, env=env) as worker:
            org = OrganizationFactory(name="Northwind")
            kpi = KpiFactory(org=org)
            upload = MetricSource.objects.create(
                org=org, name="Upload", target="kpi_values", kpi=kpi
            )
            with transaction.atomic():
                run = sources.start_run(source=upload, file=ContentFile(CSV, name="a.csv"))
                tasks.enqueue(run)
            wait_for(lambda: finished(run), worker, "the upload's run")
            assert (run.status, run.rows_written, run.rows_rejected) == (RunStatus.PARTIAL, 1, 1)

            feed = MetricSource.objects.create(
                org=org,
                name="Feed",
                target="kpi_values",
                kpi=KpiFactory(org=org),
                kind="url",
                url=f"http://127.0.0.1:{httpd.server_address[1]}/kpi.csv",
                schedule="hourly",
            )
            sources.sync_schedule(feed)
            celery_app.send_task("measurement.tasks.run_scheduled_source", args=[feed.pk])
            scheduled = wait_for(
                lambda: ImportRun.objects.filter(source=feed).first(), worker, "the run"
            )
            wait_for(lambda: finished(scheduled), worker, "the scheduled run")
            assert scheduled.status == RunStatus.PARTIAL, scheduled.error
            assert KpiValue.objects.filter(kpi=feed.kpi).count() == 1
    finally:
        httpd.shutdown()
        httpd.server_close()
