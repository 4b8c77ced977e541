"""Exports when the broker is down: a real unreachable broker, and a real Redis stopped.

`transactional_db`: the export views are not atomic, so the row is committed and the task
sent while the request runs, as in production. Tasks are not eager here: the web process
really publishes to the broker it is pointed at.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.urls import reverse

from roadmap.models import Export, ExportStatus
from roadmap_site.celery import app as celery_app
from tests.conftest import HTMX

pytestmark = pytest.mark.django_db(transaction=True)

NOTHING_LISTENS = "redis://127.0.0.1:1/0"
MESSAGE = "Exports are unavailable right now; try again in a minute."
FAILED = "Failed: exports are unavailable right now; try again in a minute."
# With the broker down the click must answer, not hang: settings bound the connection
# timeout and retries to a few seconds, where Celery's defaults retry for minutes. The bound
# is generous because CI's machine is busy; this tells "bounded" from "retries forever",
# it is not a speed test (speed is the benchmark's job).
CLICK_BUDGET = 20.0


@pytest.fixture
def broker(settings, monkeypatch):
    """Point the web process at a broker, with tasks sent for real (not run in-process).

    The Celery app read its configuration once; its `broker_url` prefers the
    CELERY_BROKER_URL variable, so both are set (as in tests/roadmap_site/test_healthz.py).
    """

    def point(url: str) -> None:
        settings.CELERY_BROKER_URL = url
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        monkeypatch.setitem(celery_app.conf, "broker_write_url", None)
        monkeypatch.setitem(celery_app.conf, "task_always_eager", False)

    return point


def export_url(roadmap) -> str:
    return reverse("roadmap:export_create", args=[roadmap.pk])


def open_roadmap_page(client, roadmap) -> None:
    """What the user does before clicking Export; it also loads the views, so the timed
    click measures the click, not this process's first imports."""
    assert client.get(reverse("roadmap:roadmap_detail", args=[roadmap.pk])).status_code == 200


def service_errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "roadmap.services"]


def test_export_click_with_no_broker_redirects_with_the_message(
    editor_client, roadmap, broker, caplog
):
    broker(NOTHING_LISTENS)
    open_roadmap_page(editor_client, roadmap)

    started = time.monotonic()
    response = editor_client.post(export_url(roadmap))
    elapsed = time.monotonic() - started

    assert elapsed < CLICK_BUDGET, f"the click took {elapsed:.2f} s"
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap:roadmap_detail", args=[roadmap.pk])
    export = Export.objects.get()
    assert (export.status, export.progress) == (ExportStatus.FAILED, 0)
    assert export.error == "exports are unavailable right now; try again in a minute"
    assert export.finished_at is not None
    # Logged once, with the broker's exception; the page shows none of it.
    assert service_errors(caplog) == [
        f"Export {export.pk} could not be queued: the broker is unreachable"
    ]
    [record] = [r for r in caplog.records if r.name == "roadmap.services"]
    assert record.levelname == "ERROR" and record.exc_info is not None

    page = editor_client.get(response["Location"])
    assert MESSAGE in page.text
    assert FAILED in page.text  # the row says so too, with Retry
    assert 'hx-trigger="every' not in page.text


def test_export_click_via_htmx_with_no_broker_is_a_503_htmx_swaps(editor_client, roadmap, broker):
    broker(NOTHING_LISTENS)
    open_roadmap_page(editor_client, roadmap)

    started = time.monotonic()
    response = editor_client.post(export_url(roadmap), **HTMX)
    elapsed = time.monotonic() - started

    assert elapsed < CLICK_BUDGET, f"the click took {elapsed:.2f} s"
    assert response.status_code == 503
    # htmx swaps no 5xx by itself: the retarget is what static/js/app.js swaps.
    assert response["HX-Retarget"] == "#exports"
    assert response["HX-Reswap"] == "afterbegin"
    export = Export.objects.get()
    assert "<html" not in response.text
    assert f'id="export-{export.pk}"' in response.text
    assert FAILED in response.text
    assert reverse("roadmap:export_retry", args=[export.pk]) in response.text
    assert 'hx-trigger="every' not in response.text


def test_retry_with_no_broker_fails_again_with_a_503(editor_client, roadmap, broker, caplog):
    broker(NOTHING_LISTENS)
    editor_client.post(export_url(roadmap))
    export = Export.objects.get()

    response = editor_client.post(reverse("roadmap:export_retry", args=[export.pk]), **HTMX)

    assert response.status_code == 503
    assert response["HX-Retarget"] == f"#export-{export.pk}"
    assert response["HX-Reswap"] == "outerHTML"
    assert FAILED in response.text
    assert Export.objects.get().status == ExportStatus.FAILED
    assert len(service_errors(caplog)) == 2  # one per click


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def throwaway_redis():
    """A Redis of this test's own, on a free port: stopping it is the broker going down
    (never the shared Redis)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port, db=0)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert process.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    try:
        yield process, client, f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_broker_going_down_between_two_clicks(editor_client, roadmap, broker, throwaway_redis):
    process, client, url = throwaway_redis
    broker(url)

    first = editor_client.post(export_url(roadmap))
    queued = Export.objects.get()
    assert first["Location"] == reverse("roadmap:export_detail", args=[queued.pk])
    assert queued.status == ExportStatus.PENDING
    assert client.llen("pdf") == 1  # the message is on the broker, in the export queue

    process.kill()
    process.wait(timeout=10)
    open_roadmap_page(editor_client, roadmap)

    started = time.monotonic()
    second = editor_client.post(export_url(roadmap), **HTMX)
    elapsed = time.monotonic() - started

    assert elapsed < CLICK_BUDGET, f"the click took {elapsed:.2f} s"
    assert second.status_code == 503
    assert FAILED in second.text
    failed = Export.objects.exclude(pk=queued.pk).get()
    assert failed.status == ExportStatus.FAILED
    assert Export.objects.get(pk=queued.pk).status == ExportStatus.PENDING  # untouched
