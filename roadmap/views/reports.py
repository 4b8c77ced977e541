"""A roadmap's quarterly report page: past reports to download, the leaders who receive
them, what was sent to whom; admins build this quarter's report early. htmx requests get a
fragment of the same template (the reports while one builds, the subscriptions)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from roadmap import report_jobs
from roadmap.forms import ReportSubscriptionForm
from roadmap.models import (
    QuarterlyReport,
    ReportDelivery,
    ReportFailure,
    ReportStatus,
    ReportSubscription,
    Roadmap,
)
from roadmap.reports import first_working_day
from roadmap_site.access import AuthedRequest, get_for_member, member_required

# The page lists the latest reports with their send logs; older ones are a year or more
# back and rarely opened (their rows stay, and so do their files).
REPORTS_SHOWN = 8


def _reports(roadmap: Roadmap) -> list[QuarterlyReport]:
    """The latest reports, each with its deliveries: two queries however many."""
    deliveries = ReportDelivery.objects.order_by("email")
    return list(
        roadmap.reports.recent().prefetch_related(Prefetch("deliveries", queryset=deliveries))[
            :REPORTS_SHOWN
        ]
    )


def _subscriptions(roadmap: Roadmap) -> list[ReportSubscription]:
    return list(roadmap.report_subscriptions.with_people())


def _context(request: AuthedRequest, roadmap: Roadmap, **extra) -> dict:
    quarter = report_jobs.current_quarter(request.org)
    reports = _reports(roadmap)
    return {
        "roadmap": roadmap,
        "reports": reports,
        "building": any(not report.is_finished for report in reports),
        "subscriptions": _subscriptions(roadmap),
        "quarter": quarter,
        "next_send": first_working_day(quarter.end + timedelta(days=1)),
        **extra,
    }


@member_required
@require_GET
def report_page(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, Roadmap.objects.select_related("org"), pk=pk)
    if request.htmx:  # the reports' polling while one builds
        return render(request, "roadmap/report_page.html#reports", _context(request, roadmap))
    form = ReportSubscriptionForm(roadmap=roadmap) if request.membership.can_write else None
    context = _context(request, roadmap, form=form)
    return render(request, "roadmap/report_page.html", context)


def _subscriptions_answer(
    request: AuthedRequest, roadmap: Roadmap, form: ReportSubscriptionForm, *, status: int = 200
) -> HttpResponse:
    if request.htmx:
        context = {"roadmap": roadmap, "subscriptions": _subscriptions(roadmap), "form": form}
        # htmx does not swap a 4xx: the form with its error comes back as a normal answer.
        return render(request, "roadmap/report_page.html#subscriptions", context)
    if status == 200:
        return redirect("roadmap:report_page", pk=roadmap.pk)
    return render(
        request, "roadmap/report_page.html", _context(request, roadmap, form=form), status=status
    )


@member_required(write=True)
@require_POST
def report_subscribe(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, Roadmap.objects.select_related("org"), pk=pk)
    form = ReportSubscriptionForm(request.POST, roadmap=roadmap)
    if not form.is_valid():
        return _subscriptions_answer(request, roadmap, form, status=400)
    person = form.cleaned_data["person"]
    ReportSubscription.objects.create(
        org=request.org, roadmap=roadmap, person=person, created_by=request.user
    )
    if not request.htmx:
        messages.success(request, f"{person.name} will receive this roadmap's quarterly report.")
    return _subscriptions_answer(request, roadmap, ReportSubscriptionForm(roadmap=roadmap))


@member_required(write=True)
@require_POST
def report_unsubscribe(request: AuthedRequest, pk: int) -> HttpResponse:
    subscription = get_for_member(
        request, ReportSubscription.objects.select_related("roadmap__org", "person"), pk=pk
    )
    roadmap = subscription.roadmap
    subscription.delete()
    if not request.htmx:
        messages.success(request, f"{subscription.person.name} no longer receives the report.")
    return _subscriptions_answer(request, roadmap, ReportSubscriptionForm(roadmap=roadmap))


# Not atomic: the row must be committed before its task is sent, and the answer must say
# whether the broker took it (as for exports).
@transaction.non_atomic_requests
@member_required(admin=True)
@require_POST
@ratelimit(key="user", rate="10/m", block=True)
def report_build(request: AuthedRequest, pk: int) -> HttpResponse:
    """This quarter's report so far, built now; nobody is mailed (the schedule mails the
    final one once the quarter is over, and it replaces this one)."""
    roadmap = get_for_member(request, Roadmap.objects.select_related("org"), pk=pk)
    quarter = report_jobs.current_quarter(request.org)
    with transaction.atomic():
        report = report_jobs.request_report(
            roadmap=roadmap, quarter=quarter, by=request.user, send=False
        )
    report.refresh_from_db()
    if report.error == ReportFailure.UNAVAILABLE:
        messages.error(request, "Reports are unavailable right now; try again in a minute.")
    elif report.status == ReportStatus.DONE and report.deliveries.exists():
        messages.info(request, f"The {report.label} report was already sent: it stays as sent.")
    elif report.status in (ReportStatus.PENDING, ReportStatus.RUNNING):
        messages.success(request, f"Building the {report.label} report so far…")
    return redirect("roadmap:report_page", pk=roadmap.pk)


@member_required
@require_GET
def report_download(request: AuthedRequest, pk: int) -> FileResponse:
    report = get_for_member(request, QuarterlyReport, pk=pk)
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404("This report has no file.")
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.filename,
        content_type="application/pdf",
    )


@transaction.non_atomic_requests
@member_required(write=True)
@require_POST
def delivery_resend(request: AuthedRequest, pk: int) -> HttpResponse:
    """A copy that failed for good, sent again (it has not arrived: nobody gets it twice)."""
    delivery = get_for_member(request, ReportDelivery.objects.select_related("report"), pk=pk)
    with transaction.atomic():
        resent = report_jobs.resend(delivery)
    if resent:
        messages.success(
            request, f"Sending the {delivery.report.label} report to {delivery.email} again."
        )
    else:
        messages.info(request, f"The copy to {delivery.email} has not failed: nothing to resend.")
    return redirect("roadmap:report_page", pk=delivery.report.roadmap_id)
