"""PDF exports: the row, the on-commit enqueue, the render, polling and download."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from roadmap import services, tasks
from roadmap.models import Export, ExportStatus, Initiative
from tests.conftest import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_export(roadmap, editor_membership):
    return Export.objects.create(
        org=roadmap.org, roadmap=roadmap, requested_by=editor_membership.user
    )


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_export_create_records_a_pending_row_and_enqueues_on_commit(
    editor_client, roadmap, editor_membership, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        tasks.render_export, "apply_async", lambda args, **kw: sent.append(tuple(args))
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = editor_client.post(reverse("roadmap:export_create", args=[roadmap.pk]))

    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap:export_detail", args=[export.pk])
    assert (export.status, export.roadmap, export.org) == (
        ExportStatus.PENDING,
        roadmap,
        roadmap.org,
    )
    assert export.requested_by == editor_membership.user
    # Nothing is sent before the commit; the one callback sends this export's id.
    assert sent == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert sent == [(export.pk,)]


def test_export_create_via_htmx_returns_the_polling_fragment(
    editor_client, roadmap, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = editor_client.post(reverse("roadmap:export_create", args=[roadmap.pk]), **HTMX)
    export = Export.objects.get()
    assert len(callbacks) == 1
    assert "<html" not in response.text
    assert f'id="export-{export.pk}"' in response.text
    assert 'hx-trigger="every' in response.text


def test_the_task_body_calls_the_service(pending_export, monkeypatch):
    calls = []
    monkeypatch.setattr(services, "render_export", lambda **kw: calls.append(kw))
    tasks.render_export(pending_export.pk)
    assert calls == [{"export_id": pending_export.pk}]


def test_render_export_produces_a_real_pdf(pending_export, roadmap, initiative, settings):
    Initiative.objects.create(
        org=roadmap.org, roadmap=roadmap, title="Time-to-productivity dashboard"
    )

    export = services.render_export(export_id=pending_export.pk)

    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    assert (export.progress, export.error) == (100, "")
    assert export.started_at is not None
    assert export.finished_at >= export.started_at
    assert export.file.name.startswith(f"exports/{roadmap.org_id}/")
    path = settings.MEDIA_ROOT / export.file.name
    content = path.read_bytes()
    assert content.startswith(b"%PDF")
    text, pages = pdf_text(content)
    assert pages >= 1
    assert roadmap.title in text
    assert initiative.title in text
    assert "Time-to-productivity dashboard" in text  # the unscheduled one too
    assert "Q1 FY27" in text


def test_a_second_render_is_a_noop(pending_export, settings, monkeypatch):
    services.render_export(export_id=pending_export.pk)
    first = Export.objects.get(pk=pending_export.pk)

    def must_not_render(*args, **kwargs):
        raise AssertionError("rendered twice")

    monkeypatch.setattr(services, "render_roadmap_pdf", must_not_render)
    again = services.render_export(export_id=pending_export.pk)

    assert again.status == ExportStatus.DONE
    second = Export.objects.get(pk=pending_export.pk)
    assert (second.file.name, second.finished_at) == (first.file.name, first.finished_at)
    assert len(list((settings.MEDIA_ROOT / "exports").rglob("*.pdf"))) == 1


def test_a_claimed_export_is_not_rendered_again(pending_export, monkeypatch):
    assert pending_export.claim() is True
    monkeypatch.setattr(services, "render_roadmap_pdf", lambda *a, **k: pytest.fail("rendered"))
    services.render_export(export_id=pending_export.pk)
    assert Export.objects.get(pk=pending_export.pk).status == ExportStatus.RUNNING


def test_render_of_a_missing_export_does_nothing(db):
    assert services.render_export(export_id=987654) is None


def test_rendering_failure_marks_the_export_failed(pending_export, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("no fonts installed")

    monkeypatch.setattr(services, "render_roadmap_pdf", broken)

    services.render_export(export_id=pending_export.pk)

    export = Export.objects.get(pk=pending_export.pk)
    assert export.status == ExportStatus.FAILED
    # The page gets a sentence for people; the exception goes to the log only.
    assert export.error == "the PDF could not be rendered; try again, and tell your " + (
        "administrator if it recurs"
    )
    assert "no fonts installed" not in export.error
    assert not export.file
    assert export.finished_at is not None
    [record] = [r for r in caplog.records if r.name == "roadmap.services"]
    assert record.levelname == "ERROR"
    assert record.exc_info[0] is RuntimeError
    assert str(record.exc_info[1]) == "no fonts installed"


@pytest.mark.parametrize(
    ("status", "polls"),
    [
        (ExportStatus.PENDING, True),
        (ExportStatus.RUNNING, True),
        (ExportStatus.DONE, False),
        (ExportStatus.FAILED, False),
    ],
)
def test_polling_fragment_stops_when_finished(editor_client, pending_export, status, polls):
    Export.objects.filter(pk=pending_export.pk).update(status=status, error="Boom")

    response = editor_client.get(reverse("roadmap:export_detail", args=[pending_export.pk]), **HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert ('hx-trigger="every' in response.text) is polls
    assert "no-cache" in response["Cache-Control"]
    if status == ExportStatus.FAILED:
        assert "Failed: Boom." in response.text


def test_done_fragment_links_the_download(editor_client, pending_export):
    services.render_export(export_id=pending_export.pk)
    response = editor_client.get(reverse("roadmap:export_detail", args=[pending_export.pk]), **HTMX)
    assert reverse("roadmap:export_download", args=[pending_export.pk]) in response.text


@pytest.mark.parametrize("role", ["editor", "viewer", "admin"])
def test_members_download_a_finished_export(client_for, role, pending_export):
    services.render_export(export_id=pending_export.pk)
    client = client_for(role)

    response = client.get(reverse("roadmap:export_download", args=[pending_export.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_outsider_cannot_download(outsider_client, pending_export):
    services.render_export(export_id=pending_export.pk)
    response = outsider_client.get(reverse("roadmap:export_download", args=[pending_export.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("status", [ExportStatus.PENDING, ExportStatus.RUNNING, "failed"])
def test_unfinished_export_download_is_a_404(editor_client, pending_export, status):
    Export.objects.filter(pk=pending_export.pk).update(status=status)
    response = editor_client.get(reverse("roadmap:export_download", args=[pending_export.pk]))
    assert response.status_code == 404


def test_roadmap_page_lists_recent_exports(editor_client, roadmap, pending_export):
    page = editor_client.get(reverse("roadmap:roadmap_detail", args=[roadmap.pk]))
    assert f'id="export-{pending_export.pk}"' in page.text


def test_without_weasyprint_the_app_runs_and_the_export_says_why(
    pending_export, monkeypatch, editor_client
):
    """Pango missing makes `import weasyprint` fail: only the export may fail, with the reason."""
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` now raises
    monkeypatch.delitem(sys.modules, "roadmap_site.pdf", raising=False)
    monkeypatch.delitem(sys.modules, "roadmap.roadmap_pdf", raising=False)

    page = editor_client.get(f"/roadmaps/{pending_export.roadmap_id}/")
    assert page.status_code == 200
    services.render_export(export_id=pending_export.pk)

    export = Export.objects.get(pk=pending_export.pk)
    assert export.status == ExportStatus.FAILED
    assert export.error == (
        "the PDF engine (WeasyPrint and its system libraries) is not installed on the server; "
        "tell your administrator"
    )
