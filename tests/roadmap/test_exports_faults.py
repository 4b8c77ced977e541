"""Exports when a worker dies mid-render: claim and re-claim, the stale sweep, beat, Retry.

The broker-down cases are in test_exports_broker.py; the real killed worker in
test_export_worker.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from roadmap import services, tasks
from roadmap.models import Export, ExportStatus
from roadmap_site.celery import app as celery_app
from tests.conftest import HTMX
from tests.factories import OrganizationFactory, RoadmapFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
# Hard limit 150 s + margin 60 s (roadmap_site/settings.py), spelled out so a change to
# either shows up here.
STALE_AFTER = timedelta(seconds=210)
WORKER_LOST = "the worker stopped before the PDF was finished"


@pytest.fixture
def export(roadmap, editor_membership):
    return Export.objects.create(
        org=roadmap.org, roadmap=roadmap, requested_by=editor_membership.user
    )


def running_since(export: Export, when: datetime) -> Export:
    with time_machine.travel(when, tick=False):
        assert export.claim() is True
    return export


def fresh(export: Export) -> Export:
    return Export.objects.get(pk=export.pk)


# Claim and re-claim -----------------------------------------------------------------------


def test_a_pending_export_is_claimed_once(export):
    with time_machine.travel(T0, tick=False):
        assert export.claim() is True
        assert Export.objects.get(pk=export.pk).claim() is False
    row = fresh(export)
    assert (row.status, row.started_at, row.progress) == (ExportStatus.RUNNING, T0, 5)


@pytest.mark.parametrize("age", [timedelta(0), timedelta(seconds=60), STALE_AFTER])
def test_a_live_run_is_not_claimed_again(export, age):
    """A redelivered task while the first run may still render: no second render."""
    running_since(export, T0)
    with time_machine.travel(T0 + age, tick=False):
        assert fresh(export).claim() is False
    assert fresh(export).started_at == T0


def test_a_stale_run_is_claimed_again_and_restarts_the_clock(export):
    running_since(export, T0)
    Export.objects.filter(pk=export.pk).update(progress=40)
    later = T0 + STALE_AFTER + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        again = fresh(export)
        assert again.claim() is True
        # Whoever claims second loses: the first re-claim made the run fresh.
        assert fresh(export).claim() is False
    row = fresh(export)
    assert (row.status, row.started_at, row.progress) == (ExportStatus.RUNNING, later, 5)


@pytest.mark.parametrize("status", [ExportStatus.DONE, ExportStatus.FAILED])
def test_a_finished_export_is_never_claimed(export, status):
    Export.objects.filter(pk=export.pk).update(status=status, started_at=T0)
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert fresh(export).claim() is False
    assert fresh(export).status == status


def test_a_redelivered_task_renders_a_stale_run(export):
    running_since(export, T0)
    with time_machine.travel(T0 + STALE_AFTER + timedelta(seconds=1)):
        tasks.render_export(export.pk)
    row = fresh(export)
    assert row.status == ExportStatus.DONE
    assert row.file.read().startswith(b"%PDF")


# The sweep -----------------------------------------------------------------------------


def test_the_sweep_fails_only_runs_past_the_limit_and_margin(export, roadmap, caplog):
    other_org_export = Export.objects.create(
        org=(other := OrganizationFactory(name="Contoso")),
        roadmap=RoadmapFactory(org=other, title="Contoso onboarding"),
    )
    running_since(export, T0)
    running_since(other_org_export, T0 + timedelta(seconds=30))
    waiting = Export.objects.create(org=roadmap.org, roadmap=roadmap)
    Export.objects.filter(pk=waiting.pk).update(created_at=T0 - timedelta(hours=1))

    with time_machine.travel(T0 + STALE_AFTER, tick=False):
        assert tasks.fail_stale_exports() == 0
    assert fresh(export).status == ExportStatus.RUNNING

    swept_at = T0 + STALE_AFTER + timedelta(seconds=1)
    with time_machine.travel(swept_at, tick=False):
        assert tasks.fail_stale_exports() == 1
    row = fresh(export)
    assert (row.status, row.error, row.finished_at) == (ExportStatus.FAILED, WORKER_LOST, swept_at)
    assert fresh(other_org_export).status == ExportStatus.RUNNING
    assert fresh(waiting).status == ExportStatus.PENDING
    assert [r.levelname for r in caplog.records if r.name == "roadmap.services"] == ["WARNING"]

    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert tasks.fail_stale_exports() == 1  # the other organisation's, once stale
        assert tasks.fail_stale_exports() == 0
    assert fresh(export).finished_at == swept_at  # not swept twice


def test_a_failed_run_is_not_rendered_by_a_late_redelivery(export, monkeypatch):
    running_since(export, T0)
    with time_machine.travel(T0 + STALE_AFTER + timedelta(seconds=1), tick=False):
        services.fail_stale_exports()
    monkeypatch.setattr(services, "render_roadmap_pdf", lambda *a, **k: pytest.fail("rendered"))
    tasks.render_export(export.pk)
    assert fresh(export).status == ExportStatus.FAILED


# Beat and the task's settings -----------------------------------------------------------------


def test_beat_installs_the_sweep_every_minute(transactional_db):
    """Not in a test transaction: the scheduler closes connections it finds mid-transaction."""
    entry = celery_app.conf.beat_schedule["fail-stale-exports"]
    assert entry["task"] == "roadmap.tasks.fail_stale_exports"
    assert entry["task"] in celery_app.tasks

    # What `celery beat` with the DatabaseScheduler writes at start.
    DatabaseScheduler(app=celery_app, lazy=True).setup_schedule()

    task = PeriodicTask.objects.get(name="fail-stale-exports")
    assert task.task == "roadmap.tasks.fail_stale_exports"
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (60, "seconds")


def test_task_limits_fit_the_sweep_and_the_visibility_timeout(settings):
    render = celery_app.tasks["roadmap.tasks.render_export"]
    assert render.acks_late and render.reject_on_worker_lost
    assert render.soft_time_limit < render.time_limit
    # A run the sweep may fail has outlived the hard limit: no live render is failed.
    assert render.time_limit + settings.EXPORT_STALE_MARGIN == STALE_AFTER.total_seconds()
    # Redis redelivers an unacked message after the visibility timeout: it must exceed
    # the longest render, or a live render would be delivered twice.
    visibility = celery_app.conf.broker_transport_options["visibility_timeout"]
    assert visibility > STALE_AFTER.total_seconds()


# Retry -----------------------------------------------------------------------------------


@pytest.fixture
def failed_export(export):
    running_since(export, T0)
    with time_machine.travel(T0 + STALE_AFTER + timedelta(seconds=1), tick=False):
        services.fail_stale_exports()
    return fresh(export)


def retry_url(export: Export) -> str:
    return reverse("roadmap:export_retry", args=[export.pk])


def test_a_failed_export_shows_why_and_retry_to_writers(editor_client, failed_export):
    response = editor_client.get(reverse("roadmap:export_detail", args=[failed_export.pk]))
    assert "Failed: the worker stopped before the PDF was finished." in response.text
    assert f'action="{retry_url(failed_export)}"' in response.text
    assert ">Retry</button>" in response.text
    assert 'hx-trigger="every' not in response.text


def test_viewers_see_why_but_no_retry(viewer_client, failed_export):
    response = viewer_client.get(reverse("roadmap:export_detail", args=[failed_export.pk]))
    assert "Failed: the worker stopped before the PDF was finished." in response.text
    assert retry_url(failed_export) not in response.text


@pytest.mark.parametrize("who", ["editor_client", "admin_client"])
def test_retry_sends_the_export_again(
    request, who, failed_export, django_capture_on_commit_callbacks
):
    client = request.getfixturevalue(who)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(retry_url(failed_export))

    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap:export_detail", args=[failed_export.pk])
    row = fresh(failed_export)
    assert (row.status, row.progress, row.error) == (ExportStatus.PENDING, 0, "")
    assert (row.started_at, row.finished_at) == (None, None)
    assert len(callbacks) == 1
    tasks.render_export(failed_export.pk)  # what the worker does with the message
    assert fresh(failed_export).status == ExportStatus.DONE


def test_retry_via_htmx_answers_the_polling_row(
    editor_client, failed_export, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = editor_client.post(retry_url(failed_export), **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'id="export-{failed_export.pk}"' in response.text
    assert 'hx-trigger="every' in response.text
    assert "Failed" not in response.text


def test_a_second_retry_click_sends_nothing(
    editor_client, failed_export, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        editor_client.post(retry_url(failed_export))
        editor_client.post(retry_url(failed_export))
    assert len(callbacks) == 1
    assert fresh(failed_export).status == ExportStatus.PENDING


def test_viewer_cannot_retry(viewer_client, failed_export, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = viewer_client.post(retry_url(failed_export))
    assert response.status_code == 403
    assert callbacks == []
    assert fresh(failed_export).status == ExportStatus.FAILED


def test_outsider_cannot_retry(outsider_client, failed_export, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = outsider_client.post(retry_url(failed_export))
    assert response.status_code == 404
    assert callbacks == []
    assert fresh(failed_export).status == ExportStatus.FAILED


def test_retry_is_post_only(editor_client, failed_export):
    assert editor_client.get(retry_url(failed_export)).status_code == 405
    assert fresh(failed_export).status == ExportStatus.FAILED


def test_retry_of_a_missing_export_is_a_404(editor_client):
    assert editor_client.post(reverse("roadmap:export_retry", args=[987654])).status_code == 404
