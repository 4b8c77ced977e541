"""A real Celery worker on Redis renders an export the web process enqueued.

Deselected unless CELERY_BROKER_URL is set and the database is PostgreSQL (see
tests/conftest.py): the worker is another process, so it must reach the same test database.
`transactional_db` commits for real, so `delay_on_commit` sends the task at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from roadmap import services
from roadmap.models import Export, ExportStatus, Initiative
from roadmap_site.celery import app as celery_app
from roadmap_site.models import Membership, Role
from tests import pdfs
from tests.factories import OrganizationFactory, RoadmapFactory, UserFactory

pytestmark = [pytest.mark.integration]

WORKER_TIMEOUT = 60
ROOT = Path(__file__).resolve().parents[2]


def test_database_url() -> str:
    """DATABASE_URL for the worker: at test time NAME is the test database's name."""
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"


test_database_url.__test__ = False  # a helper, not a test


@contextmanager
def celery_worker(tmp_path: Path, *, pool: str = "solo", env: dict[str, str] | None = None):
    """A `celery worker` process on the test database and broker; its log is printed
    (pytest shows it when the test failed) and its path is `process.log_path`."""
    log_path = tmp_path / f"worker-{pool}.log"
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SETTINGS_MODULE": "roadmap_site.settings",
        # The worker's connections must not outlive it: the test database is dropped later.
        "CONN_MAX_AGE": "0",
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "roadmap_site",
        "worker",
        "-Q",
        "pdf,celery",
        f"--pool={pool}",
        "--concurrency=1",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "info",
    ]
    # Messages left by other tests (their rows rolled back) would hit this run's ids.
    with celery_app.connection_for_write() as connection:
        for queue in ("pdf", "celery"):
            connection.default_channel.queue_purge(queue)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    process.log_path = log_path
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        # Captured output: pytest shows it only when the test failed.
        print(f"---- celery worker log (exit {process.returncode}) ----")
        print(log_path.read_text(errors="replace"))


@pytest.fixture
def worker(transactional_db, tmp_path):
    with celery_worker(tmp_path) as process:
        yield process


def wait_for(condition, worker: subprocess.Popen, what: str):
    """Poll `condition` until it returns something true, with a deadline; never a fixed wait."""
    deadline = time.monotonic() + WORKER_TIMEOUT
    while time.monotonic() < deadline:
        if result := condition():
            return result
        assert worker.poll() is None, f"the worker exited while waiting for {what}"
        time.sleep(0.1)
    pytest.fail(f"timed out after {WORKER_TIMEOUT} s waiting for {what}")


def child_pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


def test_a_real_worker_renders_the_pdf(worker):
    org = OrganizationFactory(name="Northwind")
    user = UserFactory(email="editor@northwind.test")
    Membership.objects.create(org=org, user=user, role=Role.EDITOR)
    roadmap = RoadmapFactory(org=org, title="Global onboarding roadmap")
    Initiative.objects.create(org=org, roadmap=roadmap, title="Manager onboarding toolkit")

    export = services.start_export(roadmap=roadmap, requested_by=user)

    deadline = time.monotonic() + WORKER_TIMEOUT
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.is_finished:
            break
        assert worker.poll() is None, "the worker exited"
        time.sleep(0.5)
    assert export.status == ExportStatus.DONE, (export.status, export.error)
    path = Path(settings.MEDIA_ROOT) / export.file.name
    assert path.is_file()
    content = path.read_bytes()
    assert "Manager onboarding toolkit" in pdfs.text(content)
    # Tagged, and its chart drawn by the worker's own browser (not the table fallback).
    assert "Figure" in pdfs.roles(content)
    assert "Chart shown as a table" not in pdfs.text(content)


@pytest.fixture
def editor_and_roadmap(transactional_db):
    org = OrganizationFactory(name="Northwind")
    user = UserFactory(email="editor@northwind.test")
    Membership.objects.create(org=org, user=user, role=Role.EDITOR)
    roadmap = RoadmapFactory(org=org, title="Global onboarding roadmap")
    return user, roadmap


def backdate_past_the_stale_limit(export: Export) -> None:
    """Time passing for the worker's sake: the sweep runs in the worker, on its own clock.
    Hard limit 150 s + margin 60 s (settings), and a second more."""
    Export.objects.filter(pk=export.pk).update(
        started_at=export.started_at - timedelta(seconds=211)
    )


def test_a_worker_killed_mid_render_ends_failed_with_retry_then_renders(
    editor_and_roadmap, tmp_path
):
    """SIGKILL the worker's child while it renders: the message comes back (rejected on
    worker loss), the redelivery does not render twice, the sweep fails the row once it
    is stale, the page offers Retry, and Retry renders the PDF."""
    user, roadmap = editor_and_roadmap
    gate = tmp_path / "render-gate"  # the render waits until this file exists
    with celery_worker(tmp_path, pool="prefork", env={"EXPORT_RENDER_GATE": str(gate)}) as worker:
        export = services.start_export(roadmap=roadmap, requested_by=user)

        def rendering():
            export.refresh_from_db()
            return export.status == ExportStatus.RUNNING and export.progress == 50

        wait_for(rendering, worker, "the render to start")
        [child] = wait_for(lambda: child_pids(worker.pid), worker, "the pool's child")
        os.kill(child, signal.SIGKILL)

        # The redelivered task finds a fresh run and leaves it alone (no second render).
        not_claimed = f"Export {export.pk} not claimed: it is running"
        wait_for(lambda: not_claimed in worker.log_path.read_text(), worker, "the redelivery")
        export.refresh_from_db()
        assert (export.status, export.progress) == (ExportStatus.RUNNING, 50)

        backdate_past_the_stale_limit(export)
        celery_app.send_task("roadmap.tasks.fail_stale_exports")  # what beat sends

        def failed():
            export.refresh_from_db()
            return export.status == ExportStatus.FAILED

        wait_for(failed, worker, "the sweep to fail the export")
        assert export.error == "the worker stopped before the PDF was finished"

        client = Client()
        client.force_login(user)
        page = client.get(reverse("roadmap:export_detail", args=[export.pk]))
        assert "Failed: the worker stopped before the PDF was finished." in page.text
        assert ">Retry</button>" in page.text

        gate.touch()
        response = client.post(reverse("roadmap:export_retry", args=[export.pk]))
        assert response.status_code == 302

        def done():
            export.refresh_from_db()
            return export.is_finished

        wait_for(done, worker, "the retried export")
        assert export.status == ExportStatus.DONE, export.error
        assert (Path(settings.MEDIA_ROOT) / export.file.name).read_bytes().startswith(b"%PDF")


def test_the_sweep_runs_on_a_real_worker(worker, editor_and_roadmap):
    """A run whose worker is long gone (no worker ever had it here), swept by name."""
    user, roadmap = editor_and_roadmap
    export = Export.objects.create(org=roadmap.org, roadmap=roadmap, requested_by=user)
    assert export.claim()
    backdate_past_the_stale_limit(export)
    live = Export.objects.create(org=roadmap.org, roadmap=roadmap, requested_by=user)
    assert live.claim()

    celery_app.send_task("roadmap.tasks.fail_stale_exports")

    def failed():
        export.refresh_from_db()
        return export.status == ExportStatus.FAILED

    wait_for(failed, worker, "the sweep")
    assert export.error == "the worker stopped before the PDF was finished"
    live.refresh_from_db()
    assert live.status == ExportStatus.RUNNING
