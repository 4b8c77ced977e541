"""Metric sources and their runs: admins manage sources; editors upload and run them;
viewers read. An upload is previewed (the first rows, checked against the mapping) before
anything is written; the run then happens in a worker, and its page polls until done."""

from __future__ import annotations

import uuid
from typing import IO

from django.contrib import messages
from django.core import signing
from django.core.exceptions import SuspiciousOperation
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from measurement import fetch, sources, tables, targets, tasks
from measurement.forms.sources import MappingForm, MetricSourceForm, UploadForm
from measurement.models import ImportRun, MetricSource, SourceKind
from roadmap_site import tabular
from roadmap_site.access import AuthedRequest, get_for_member, member_required, require_write
from roadmap_site.partials import page_or_partial

TOKEN_SALT = "measurement.source-upload"  # noqa: S105 (a signing salt)
TOKEN_MAX_AGE = int(sources.UPLOAD_MAX_AGE.total_seconds())


@member_required
@require_GET
def source_list(request: AuthedRequest) -> HttpResponse:
    latest = ImportRun.objects.filter(source=OuterRef("pk")).order_by("-created_at", "-pk")
    rows = (
        MetricSource.objects.for_org(request.org)
        .select_related("program__initiative", "kpi")
        .annotate(
            last_status=Subquery(latest.values("status")[:1]),
            last_at=Subquery(latest.values("created_at")[:1]),
            last_id=Subquery(latest.values("pk")[:1]),
        )
    )
    listed = [(source, label_of(source)) for source in rows]
    return render(request, "measurement/source_list.html", {"sources": listed})


def label_of(source: MetricSource) -> str:
    target = targets.TARGETS.get(source.target)
    return target.label if target else source.target


@member_required(admin=True)
@require_http_methods(["GET", "POST"])
def source_create(request: AuthedRequest) -> HttpResponse:
    form = MetricSourceForm(request.POST or None, org=request.org)
    if request.method == "POST" and form.is_valid():
        source = form.save()
        messages.success(request, f"“{source.name}” created.")
        return redirect("measurement:source_detail", pk=source.pk)
    status = 400 if form.errors else 200
    return render(request, "measurement/source_form.html", {"form": form}, status=status)


@member_required(admin=True)
@require_http_methods(["GET", "POST"])
def source_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    source = get_for_member(request, MetricSource, pk=pk)
    form = MetricSourceForm(request.POST or None, instance=source, org=request.org)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"“{source.name}” saved.")
        if form.credential_cleared:
            messages.warning(
                request,
                "The address moved to another scheme, host or port, so its stored credential "
                "was removed: give it again if the new address needs one.",
            )
        return redirect("measurement:source_detail", pk=source.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "source": source}
    return render(request, "measurement/source_form.html", context, status=status)


@member_required(admin=True)
@require_POST
def source_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    source = get_for_member(request, MetricSource, pk=pk)
    sources.delete_source(source)
    messages.success(request, f"“{source.name}” deleted, with its runs and schedule.")
    return redirect("measurement:source_list")


@member_required
@require_GET
def source_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    source = get_for_member(
        request,
        MetricSource.objects.select_related("program__initiative", "kpi", "periodic_task"),
        pk=pk,
    )
    context = {
        "source": source,
        "target": targets.TARGETS.get(source.target),
        "runs": source.runs.select_related("requested_by")[:20],
        "upload_form": UploadForm(),
    }
    return render(request, "measurement/source_detail.html", context)


@member_required(write=True)
@require_POST
def source_run(request: AuthedRequest, pk: int) -> HttpResponse:
    """Run now: a URL source fetches its document again."""
    source = get_for_member(request, MetricSource, pk=pk)
    if source.kind != SourceKind.URL:
        raise SuspiciousOperation("A file source runs by uploading a file.")
    run = sources.start_run(source=source, by=request.user)
    tasks.enqueue(run)
    return redirect("measurement:run_detail", pk=run.pk)


def _token(source: MetricSource, name: str) -> str:
    return signing.dumps({"s": source.pk, "f": name}, salt=TOKEN_SALT)


def _pending_file(source: MetricSource, token: str) -> str:
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise SuspiciousOperation("A bad or expired upload token.") from None
    if data.get("s") != source.pk or not default_storage.exists(data.get("f", "")):
        raise SuspiciousOperation("The upload token is not this source's.")
    return data["f"]


@member_required(write=True)
@require_POST
def source_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    """Step 1: keep the file aside (nothing written yet) and show the preview."""
    source = get_for_member(request, MetricSource, pk=pk)
    if source.kind != SourceKind.FILE:
        raise SuspiciousOperation("Only a file source takes uploads.")
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        context = {
            "source": source,
            "target": targets.TARGETS.get(source.target),
            "runs": source.runs.all()[:20],
            "upload_form": form,
        }
        return render(request, "measurement/source_detail.html", context, status=400)
    upload = form.cleaned_data["file"]
    suffix = "xlsx" if upload.name.lower().endswith(".xlsx") else "csv"
    name = default_storage.save(f"{sources.PENDING_UPLOADS}/{uuid.uuid4().hex}.{suffix}", upload)
    with default_storage.open(name, "rb") as stream:
        return _preview_page(request, source, stream, token=_token(source, name), data=None)


@member_required
@require_http_methods(["GET", "POST"])
def source_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    """Step 2: the first rows with the chosen mapping; "Check again", "Save mapping"
    (admins) or "Import" (editors and admins). A URL source is fetched live on GET."""
    source = get_for_member(request, MetricSource, pk=pk)
    require_write(request)
    if source.kind == SourceKind.URL:
        try:
            fetched = fetch.fetch(
                source.url, headers=sources.request_headers(source), csv_head=sources.PREVIEW_BYTES
            )
        except (fetch.FetchRefused, fetch.FetchFailed, sources.SourceProblem) as problem:
            messages.error(request, f"The address could not be previewed: {problem}")
            return redirect("measurement:source_detail", pk=source.pk)
        with fetched.body as stream:
            return _preview_page(request, source, stream, token="", data=request.POST or None)
    if request.method != "POST":
        return redirect("measurement:source_detail", pk=source.pk)
    name = _pending_file(source, request.POST.get("token", ""))
    with default_storage.open(name, "rb") as stream:
        return _preview_page(
            request, source, stream, token=request.POST["token"], data=request.POST
        )


def _preview_page(
    request: AuthedRequest, source: MetricSource, stream: IO[bytes], *, token: str, data
) -> HttpResponse:
    first = sources.preview(source=source, stream=stream, mapping=source.mapping)
    form = MappingForm(data, source=source, header=first.header, initial={"token": token})
    result = first
    action = (data or {}).get("action", "")
    if data is not None:
        if not form.is_valid():
            context = {
                "source": source,
                "form": form,
                "preview": first,
                "token": token,
                "target": form.target,
            }
            return render(request, "measurement/source_preview.html", context, status=400)
        stream.seek(0)
        result = sources.preview(source=source, stream=stream, mapping=form.mapping())
        if action == "save":
            require_write(request, admin=True)
            source.mapping = form.mapping()
            source.save(update_fields=["mapping"])
            messages.success(request, "Mapping saved for the next runs.")
        elif action == "import" and not result.problem:
            if source.kind == SourceKind.URL:
                run = sources.start_run(source=source, mapping=form.mapping(), by=request.user)
            else:
                stream.seek(0)
                run = sources.start_run(
                    source=source,
                    file=File(stream, name=stream.name),
                    mapping=form.mapping(),
                    by=request.user,
                )
                default_storage.delete(_pending_file(source, token))
            tasks.enqueue(run)
            return redirect("measurement:run_detail", pk=run.pk)
    context = {
        "source": source,
        "form": form,
        "preview": result,
        "token": token,
        "target": form.target,
    }
    status = 400 if result.problem and data is not None else 200
    return render(request, "measurement/source_preview.html", context, status=status)


@member_required
@require_GET
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    run = get_for_member(request, ImportRun.objects.select_related("source", "requested_by"), pk=pk)
    context = {
        "run": run,
        "source": run.source,
        "progress": sources.progress(run),
        "row_errors": run.row_errors.all()[:300] if run.done else [],
    }
    template = page_or_partial(request, "measurement/run_detail.html", "status")
    return render(request, template, context)


@member_required
@require_GET
@tabular.rate_limited
def run_errors_csv(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """A run's refused rows as CSV (the default) or `?format=xlsx`, formula-safe."""
    run = get_for_member(request, ImportRun, pk=pk)
    rows = run.row_errors.order_by("row", "pk")
    return tabular.download(request, org=request.org, table=tables.IMPORT_ERRORS, rows=rows)
