"""A real Celery worker on Redis renders an export the web process enqueued.

Deselected unless CELERY_BROKER_URL is set and the database is PostgreSQL (see
tests/conftest.py): the worker is another process, so it must reach the same test database.
`transactional_db` commits for real, so `delay_on_commit` sends the task at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from roadmap import services
from roadmap.models import ExportStatus, Initiative
from roadmap_site.models import Membership, Role
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


@pytest.fixture
def worker(transactional_db, tmp_path):
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SETTINGS_MODULE": "roadmap_site.settings",
        # The worker's connections must not outlive it: the test database is dropped later.
        "CONN_MAX_AGE": "0",
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
        "--pool=solo",
        "--concurrency=1",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "info",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
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
    assert path.read_bytes().startswith(b"%PDF")
