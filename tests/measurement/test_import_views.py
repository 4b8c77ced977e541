"""Data source pages as admin, editor, viewer and outsider: the upload → preview →
confirm flow, "Run now", the run page, its errors as CSV, and query counts."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from measurement import sources
from measurement.models import ImportRowError, ImportRun, KpiValue, MetricSource, RunStatus
from tests.conftest import HTMX
from tests.downloads import read_csv
from tests.factories import KpiFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpi(org):
    return KpiFactory(org=org, name="Time to productivity")


@pytest.fixture
def source(org, kpi):
    return MetricSource.objects.create(org=org, name="HRIS export", target="kpi_values", kpi=kpi)


@pytest.fixture
def url_source(org, kpi):
    source = MetricSource.objects.create(
        org=org,
        name="LMS feed",
        target="kpi_values",
        kpi=kpi,
        kind="url",
        url="https://lms.example.com/kpi.csv",
        header_name="Authorization",
    )
    source.header_secret = sources.encrypt_secret("Bearer TOPSECRET-42")
    source.save()
    return source


def finished_run(source, data: bytes) -> ImportRun:
    run = sources.start_run(source=source, file=ContentFile(data, name="x.csv"))
    sources.claim(run.pk)
    return sources.perform_run(run.pk)


FORM = {
    "name": "Survey tool",
    "kind": "url",
    "target": "kpi_values",
    "url": "https://surveys.example.com/export.csv",
    "header_name": "X-Api-Key",
    "header_value": "abc-SECRET",
    "schedule": "weekly",
    "enabled": "on",
}


# Who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("editor", 200), ("viewer", 200)])
def test_members_read_the_list_and_a_source(client_for, source, role, status):
    client = client_for(role)
    assert client.get(reverse("measurement:source_list")).status_code == status
    page = client.get(reverse("measurement:source_detail", args=[source.pk]))
    assert page.status_code == status
    assert ("Upload and preview" in page.text) == (role != "viewer")


def test_outsiders_get_404_everywhere(outsider_client, source):
    run = finished_run(source, b"date,value\n2026-05-01,1\n")
    for name, pk in [
        ("source_detail", source.pk),
        ("source_edit", source.pk),
        ("run_detail", run.pk),
        ("run_errors_csv", run.pk),
    ]:
        assert outsider_client.get(reverse(f"measurement:{name}", args=[pk])).status_code == 404
    for name in ("source_run", "source_upload", "source_delete"):
        url = reverse(f"measurement:{name}", args=[source.pk])
        assert outsider_client.post(url).status_code == 404
    assert MetricSource.objects.filter(pk=source.pk).exists()


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_admins_create_edit_and_delete(client_for, kpi, source, role):
    client = client_for(role)
    assert client.get(reverse("measurement:source_create")).status_code == 403
    assert (
        client.post(reverse("measurement:source_create"), {**FORM, "kpi": kpi.pk}).status_code
        == 403
    )
    assert client.post(reverse("measurement:source_delete", args=[source.pk])).status_code == 403
    assert MetricSource.objects.count() == 1


def test_viewers_cannot_upload_or_run(viewer_client, source, url_source):
    upload = ContentFile(b"date,value\n2026-05-01,1\n", name="a.csv")
    url = reverse("measurement:source_upload", args=[source.pk])
    assert viewer_client.post(url, {"file": upload}).status_code == 403
    assert (
        viewer_client.post(reverse("measurement:source_run", args=[url_source.pk])).status_code
        == 403
    )
    assert (
        viewer_client.get(reverse("measurement:source_preview", args=[source.pk])).status_code
        == 403
    )
    assert not ImportRun.objects.exists()


# Create, schedule, credentials ---------------------------------------------------------------


def test_admin_creates_a_scheduled_url_source_with_an_encrypted_credential(admin_client, kpi):
    response = admin_client.post(reverse("measurement:source_create"), {**FORM, "kpi": kpi.pk})
    assert response.status_code == 302
    source = MetricSource.objects.get(name="Survey tool")
    assert source.header_secret and "abc-SECRET" not in source.header_secret
    assert sources.request_headers(source) == {"X-Api-Key": "abc-SECRET"}
    task = PeriodicTask.objects.get(pk=source.periodic_task_id)
    assert task.crontab.day_of_week == "1" and task.enabled
    for url in (
        reverse("measurement:source_detail", args=[source.pk]),
        reverse("measurement:source_edit", args=[source.pk]),
    ):
        page = admin_client.get(url).text
        assert "abc-SECRET" not in page and source.header_secret not in page
    edit = admin_client.get(reverse("measurement:source_edit", args=[source.pk])).text
    assert "A value is set" in edit
    # Saving without a new value keeps the stored one; pausing disables beat's task.
    data = {**FORM, "kpi": kpi.pk, "header_value": "", "enabled": ""}
    admin_client.post(reverse("measurement:source_edit", args=[source.pk]), data)
    source.refresh_from_db()
    assert sources.request_headers(source) == {"X-Api-Key": "abc-SECRET"}
    assert not PeriodicTask.objects.get(pk=source.periodic_task_id).enabled
    admin_client.post(reverse("measurement:source_delete", args=[source.pk]))
    assert not PeriodicTask.objects.filter(pk=task.pk).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kpi": ""}, "kpi"),
        ({"schedule": "cron", "cron": "every day"}, "cron"),
        ({"schedule": "cron", "cron": "61 * * * *"}, "cron"),
        ({"url": "", "schedule": ""}, "url"),
        ({"kind": "file"}, "schedule"),
        ({"target": "nonsense"}, "target"),
    ],
)
def test_bad_source_forms_are_refused_with_a_message(admin_client, kpi, change, field):
    data = {**FORM, "kpi": kpi.pk, **change}
    response = admin_client.post(reverse("measurement:source_create"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not MetricSource.objects.exists()
    assert not PeriodicTask.objects.filter(name__startswith="metric-source").exists()


def test_another_orgs_kpi_cannot_be_chosen(admin_client, other_org):
    foreign = KpiFactory(org=other_org)
    response = admin_client.post(reverse("measurement:source_create"), {**FORM, "kpi": foreign.pk})
    assert response.status_code == 400 and "kpi" in response.context["form"].errors


# Upload → preview → confirm ------------------------------------------------------------------


CSV = b"Day;Reading\n01/05/2026;12,5\n02/05/2026;oops\n03/05/2026;13\n"


def test_upload_previews_then_imports_with_the_chosen_mapping(
    editor_client, source, kpi, django_capture_on_commit_callbacks
):
    upload = ContentFile(CSV, name="readings.csv")
    page = editor_client.post(
        reverse("measurement:source_upload", args=[source.pk]), {"file": upload}
    )
    assert page.status_code == 200  # no "date" column until mapped: said, not an error yet
    assert "No column for date" in page.text
    token = page.context["token"]
    assert not KpiValue.objects.exists() and not ImportRun.objects.exists()
    mapping = {"token": token, "map_date": "Day", "map_value": "Reading"}
    check = editor_client.post(
        reverse("measurement:source_preview", args=[source.pk]), {**mapping, "action": "check"}
    )
    assert check.status_code == 200
    rows = check.context["preview"].rows
    assert [bool(r.problems) for r in rows] == [False, True, False]
    assert "oops" in check.text and "Not a number" in check.text
    assert not KpiValue.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = editor_client.post(
            reverse("measurement:source_preview", args=[source.pk]), {**mapping, "action": "import"}
        )
    run = ImportRun.objects.get()
    assert done.status_code == 302 and done.url == reverse("measurement:run_detail", args=[run.pk])
    assert len(callbacks) == 1
    from measurement import tasks

    tasks.run_import.run(run.pk)
    run.refresh_from_db()
    assert (run.status, run.rows_written, run.rows_rejected) == (RunStatus.PARTIAL, 2, 1)
    assert run.mapping == {"date": "Day", "value": "Reading"}
    source.refresh_from_db()
    assert source.mapping == {}  # an editor's mapping is for that run only


def test_admin_saves_the_mapping(admin_client, source):
    page = admin_client.post(
        reverse("measurement:source_upload", args=[source.pk]),
        {"file": ContentFile(CSV, name="r.csv")},
    )
    data = {"token": page.context["token"], "map_date": "Day", "map_value": "Reading"}
    admin_client.post(
        reverse("measurement:source_preview", args=[source.pk]), {**data, "action": "save"}
    )
    source.refresh_from_db()
    assert source.mapping == {"date": "Day", "value": "Reading"}


def test_an_editor_cannot_save_the_mapping(editor_client, source):
    page = editor_client.post(
        reverse("measurement:source_upload", args=[source.pk]),
        {"file": ContentFile(CSV, name="r.csv")},
    )
    data = {"token": page.context["token"], "map_date": "Day", "map_value": "Reading"}
    url = reverse("measurement:source_preview", args=[source.pk])
    assert editor_client.post(url, {**data, "action": "save"}).status_code == 403
    source.refresh_from_db()
    assert source.mapping == {}


def test_tampered_token_or_mapping_is_refused(editor_client, source, org, kpi):
    url = reverse("measurement:source_preview", args=[source.pk])
    assert editor_client.post(url, {"token": "forged", "action": "import"}).status_code == 400
    other = MetricSource.objects.create(org=org, name="Other", target="kpi_values", kpi=kpi)
    page = editor_client.post(
        reverse("measurement:source_upload", args=[other.pk]),
        {"file": ContentFile(CSV, name="r.csv")},
    )
    stolen = {"token": page.context["token"], "map_date": "Day", "map_value": "Reading"}
    assert editor_client.post(url, {**stolen, "action": "import"}).status_code == 400
    page = editor_client.post(
        reverse("measurement:source_upload", args=[source.pk]),
        {"file": ContentFile(CSV, name="r.csv")},
    )
    bad = {"token": page.context["token"], "map_date": "Nope", "map_value": "Reading"}
    response = editor_client.post(url, {**bad, "action": "import"})
    assert response.status_code == 400 and "map_date" in response.context["form"].errors
    assert not ImportRun.objects.exists()


def test_an_upload_that_is_not_csv_or_xlsx_is_refused(editor_client, source):
    response = editor_client.post(
        reverse("measurement:source_upload", args=[source.pk]),
        {"file": ContentFile(b"MZ...", name="tool.exe")},
    )
    assert response.status_code == 400 and "csv" in response.text.lower()
    assert not ImportRun.objects.exists()


def test_run_now_queues_a_url_run(
    editor_client, url_source, source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = editor_client.post(reverse("measurement:source_run", args=[url_source.pk]))
    run = ImportRun.objects.get()
    assert response.status_code == 302 and run.status == RunStatus.PENDING
    assert run.requested_by.email == "editor@northwind.test"
    assert len(callbacks) == 1
    assert (
        editor_client.post(reverse("measurement:source_run", args=[source.pk])).status_code == 400
    )


# The run page and its errors --------------------------------------------------------------------


def test_run_page_polls_until_done(viewer_client, source):
    run = sources.start_run(source=source, file=ContentFile(CSV, name="x.csv"))
    url = reverse("measurement:run_detail", args=[run.pk])
    assert 'hx-trigger="every 2s"' in viewer_client.get(url).text
    source.mapping = {"date": "Day", "value": "Reading"}
    source.save()
    run.mapping = source.mapping
    run.save()
    sources.claim(run.pk)
    sources.perform_run(run.pk)
    fragment = viewer_client.get(url, **HTMX)
    assert fragment.status_code == 200
    assert "hx-trigger" not in fragment.text and "<html" not in fragment.text
    assert "Not a number" in fragment.text


def test_errors_download_as_formula_safe_csv(viewer_client, source, kpi):
    run = finished_run(
        source, b"date,value\n=HYPERLINK(1),1\n2026-05-01,@SUM(A1)\n2026-05-02,+cmd|calc\n"
    )
    response = viewer_client.get(reverse("measurement:run_errors_csv", args=[run.pk]))
    assert response.status_code == 200
    rows = read_csv(response)
    assert rows[0] == ["Row", "Column", "Value", "Message"]
    values = [r[2] for r in rows[1:]]
    assert values == ["'=HYPERLINK(1)", "'@SUM(A1)", "'+cmd|calc"]
    assert ImportRowError.objects.filter(run=run).count() == 3


def test_list_and_run_pages_keep_their_query_count(
    editor_client, org, kpi, django_assert_num_queries
):
    def add(n):
        for i in range(n):
            s = MetricSource.objects.create(org=org, name=f"S{i}-{n}", target="kpi_values", kpi=kpi)
            finished_run(s, b"date,value\n2026-05-01,x\n")

    add(1)
    editor_client.get(reverse("measurement:source_list"))  # warm the session
    with django_assert_num_queries(6) as small:
        editor_client.get(reverse("measurement:source_list"))
    add(5)
    with django_assert_num_queries(len(small.captured_queries)):
        editor_client.get(reverse("measurement:source_list"))
    few = ImportRun.objects.first()
    many = finished_run(few.source, b"date,value\n" + b"2026-05-01,x\n" * 6)
    for run in (few, many):
        url = reverse("measurement:run_detail", args=[run.pk])
        with django_assert_num_queries(7):
            page = editor_client.get(url)
        assert page.text.count("Not a number") == run.rows_rejected


def test_run_now_with_the_broker_down_fails_the_run_with_a_message(
    editor_client, url_source, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A real unreachable broker (nothing listens on port 1): the click answers, and the
    run says why it will not happen instead of waiting forever."""
    from roadmap_site.celery import app as celery_app

    nothing = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_URL = nothing
    monkeypatch.setenv("CELERY_BROKER_URL", nothing)
    monkeypatch.setitem(celery_app.conf, "broker_url", nothing)
    monkeypatch.setitem(celery_app.conf, "broker_write_url", None)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(reverse("measurement:source_run", args=[url_source.pk]))
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.status == RunStatus.FAILED and "queue is unavailable" in run.error


def test_a_running_run_shows_its_progress(viewer_client, source):
    from django.core.cache import cache

    run = sources.start_run(source=source, file=ContentFile(CSV, name="x.csv"))
    sources.claim(run.pk)
    cache.set(sources.progress_key(run.pk), 1234)
    fragment = viewer_client.get(reverse("measurement:run_detail", args=[run.pk]), **HTMX)
    assert "1234 rows read so far" in fragment.text and 'hx-trigger="every 2s"' in fragment.text


def test_abandoned_uploads_are_removed_by_the_sweep(editor_client, source):
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from measurement import tasks

    page = editor_client.post(
        reverse("measurement:source_upload", args=[source.pk]),
        {"file": ContentFile(CSV, name="r.csv")},
    )
    [name] = default_storage.listdir(sources.PENDING_UPLOADS)[1]
    tasks.fail_stale_runs.run()
    assert default_storage.listdir(sources.PENDING_UPLOADS)[1] == [name]  # still fresh
    later = timezone.now() + sources.UPLOAD_MAX_AGE + timedelta(minutes=6)
    assert sources.remove_abandoned_uploads(later) == 1
    assert default_storage.listdir(sources.PENDING_UPLOADS)[1] == []
    url = reverse("measurement:source_preview", args=[source.pk])
    data = {"token": page.context["token"], "map_date": "Day", "map_value": "Reading"}
    assert editor_client.post(url, {**data, "action": "import"}).status_code == 400


@pytest.mark.parametrize(
    ("new_url", "kept"),
    [
        ("https://lms.example.com/other/path.csv?week=2", True),  # same origin
        ("https://LMS.example.com:443/kpi.csv", True),  # the same origin, written otherwise
        ("https://evil.example.net/kpi.csv", False),  # another host
        ("http://lms.example.com/kpi.csv", False),  # in clear
        ("https://lms.example.com:8443/kpi.csv", False),  # another port, another service
    ],
)
def test_moving_a_url_source_elsewhere_removes_its_credential(
    admin_client, url_source, kpi, new_url, kept
):
    data = {**FORM, "name": "LMS feed", "kpi": kpi.pk, "header_value": "", "url": new_url}
    response = admin_client.post(
        reverse("measurement:source_edit", args=[url_source.pk]), data, follow=True
    )
    assert response.status_code == 200
    url_source.refresh_from_db()
    assert url_source.url == new_url
    if kept:
        assert sources.request_headers(url_source) == {"X-Api-Key": "Bearer TOPSECRET-42"}
        assert "credential was removed" not in response.text
    else:
        assert url_source.header_secret == "" and sources.request_headers(url_source) == {}
        assert "its stored credential was removed" in response.text


def test_a_new_credential_given_with_the_new_address_is_kept(admin_client, url_source, kpi):
    data = {
        **FORM,
        "name": "LMS feed",
        "kpi": kpi.pk,
        "url": "https://new-lms.example.com/kpi.csv",
        "header_value": "new-SECRET",
    }
    admin_client.post(reverse("measurement:source_edit", args=[url_source.pk]), data)
    url_source.refresh_from_db()
    assert sources.request_headers(url_source) == {"X-Api-Key": "new-SECRET"}


def test_the_form_says_a_move_removes_the_credential(admin_client, url_source):
    page = admin_client.get(reverse("measurement:source_edit", args=[url_source.pk])).text
    assert "removes the stored credential" in page
