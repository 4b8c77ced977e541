"""The quarterly report's workflows: build one, schedule the due ones, send each copy once,
and sweep the ones whose worker died. Tasks (roadmap/tasks.py) are thin adapters over these.

Once-only sending rests on two things: one `ReportDelivery` per report and address (a
unique constraint), and a claim (`ReportDelivery.claim`, one conditional UPDATE) before
the message goes out. A duplicate task, a second beat tick or a retry finds the row sent
or being sent and does nothing.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from datetime import date, datetime, timedelta
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from kombu.exceptions import OperationalError as BrokerError

from measurement import alerts
from roadmap import reports
from roadmap.models import (
    DeliveryStatus,
    QuarterlyReport,
    ReportDelivery,
    ReportFailure,
    ReportStatus,
    Roadmap,
)
from roadmap.reports import Quarter
from roadmap_site.models import Organization
from roadmap_site.pdf import ChartRenderer

log = logging.getLogger(__name__)


class SendFailed(Exception):
    """A copy could not be sent this time; the task retries it with backoff."""


# Starting a build -------------------------------------------------------------------------


def request_report(*, roadmap: Roadmap, quarter: Quarter, by=None, send: bool) -> QuarterlyReport:
    """The report row of `roadmap` and `quarter`, built (again) when that is allowed, and
    handed to a worker after commit. `send`: mail it to the subscribers once built (the
    schedule does; an admin's early build does not).

    A report already sent to anyone keeps its snapshot: it is what they received. One not
    yet sent is rebuilt with a fresh snapshot, unless it is being built right now.
    """
    report, created = get_or_create_report(roadmap, quarter, by=by, send=send)
    if created or report.requeue(fresh_snapshot=True, send=send, by=by):
        transaction.on_commit(partial(enqueue_build, report))
    return report


def get_or_create_report(
    roadmap: Roadmap, quarter: Quarter, *, by, send: bool
) -> tuple[QuarterlyReport, bool]:
    defaults = {
        "org": roadmap.org,
        "quarter_end": quarter.end,
        "label": quarter.label,
        "requested_by": by,
        "send_when_built": send,
    }
    try:
        with transaction.atomic():
            return QuarterlyReport.objects.get_or_create(
                roadmap=roadmap, quarter_start=quarter.start, defaults=defaults
            )
    except IntegrityError:  # another tick created it between our read and write
        return QuarterlyReport.objects.get(roadmap=roadmap, quarter_start=quarter.start), False


def enqueue_build(report: QuarterlyReport) -> bool:
    """Send the build task; with the broker down, fail the row (the page says so)."""
    from roadmap.tasks import build_quarterly_report
    from roadmap_site.celery import send_now

    try:
        send_now(build_quarterly_report, (report.pk,))
    except (BrokerError, OSError):
        log.exception("Report %s could not be queued: the broker is unreachable", report.pk)
        report.fail(ReportFailure.UNAVAILABLE)
        return False
    return True


# Building -----------------------------------------------------------------------------


def build_report(*, report_id: int) -> QuarterlyReport | None:
    """Take the snapshot (unless the row has one: a re-render keeps it), render the PDF
    from it, store both; then, when asked to, create one delivery per subscriber and send."""
    report = QuarterlyReport.objects.select_related("roadmap__org").filter(pk=report_id).first()
    if report is None:
        return None
    if not report.claim():
        log.info("Report %s not claimed: it is %s", report_id, report.status)
        return report
    # Chromium opens while the snapshot is taken (a second or more either way); the
    # document's charts then wait only for what is left of its start.
    with ChartRenderer() as renderer:
        if reports.may_draw_charts(report.snapshot):
            renderer.start()
        return _build(report, renderer)


def _build(report: QuarterlyReport, renderer: ChartRenderer) -> QuarterlyReport:
    org, report_id = report.roadmap.org, report.pk
    try:
        if not report.snapshot:
            taken = org.today()
            # The open alerts it lists are today's, not those of the last page view.
            alerts.refresh_if_stale(org, taken)
            quarter = Quarter.of(org, report.quarter_start, as_of=taken)
            report.snapshot = reports.build_snapshot(report.roadmap, quarter, taken=taken)
            report.as_of = taken
            report.save(update_fields=["snapshot", "as_of"])
        report.set_progress(50)
        content = reports.render_report_pdf(report.snapshot, renderer)
        report.set_progress(90)
        with transaction.atomic():
            report.file.save(report.filename, ContentFile(content), save=False)
            report.sha256 = hashlib.sha256(content).hexdigest()
            report.status, report.progress, report.error = ReportStatus.DONE, 100, ""
            report.finished_at = timezone.now()
            report.save(
                update_fields=["file", "sha256", "status", "progress", "error", "finished_at"]
            )
            if report.send_when_built:
                create_deliveries(report)
    except SoftTimeLimitExceeded:
        log.exception("Report %s hit the soft time limit", report_id)
        report.fail(ReportFailure.TIMED_OUT)
    except Exception:
        log.exception("Report %s failed", report_id)
        report.fail(ReportFailure.RENDER)
    return report


def create_deliveries(report: QuarterlyReport) -> list[ReportDelivery]:
    """One delivery per subscriber with an address, none twice (the unique constraint);
    each is sent by its own task once this commits. Returns the new ones."""
    subscriptions = report.roadmap.report_subscriptions.reachable().select_related("person")
    existing = set(report.deliveries.values_list("email", flat=True))
    new = []
    for subscription in subscriptions:
        email = subscription.person.email.strip().lower()
        if email in existing:
            continue
        existing.add(email)
        new.append(
            ReportDelivery(org=report.org, report=report, person=subscription.person, email=email)
        )
    created = ReportDelivery.objects.bulk_create(new, ignore_conflicts=True)
    for delivery in report.deliveries.filter(status=DeliveryStatus.PENDING):
        transaction.on_commit(partial(enqueue_send, delivery.pk))
    return created


def enqueue_send(delivery_id: int) -> None:
    from roadmap.tasks import send_report_delivery

    try:
        send_report_delivery.delay(delivery_id)
    except (BrokerError, OSError):
        # The row stays waiting; the page offers Resend and the log says why.
        log.exception("Delivery %s could not be queued: the broker is unreachable", delivery_id)


# Sending ------------------------------------------------------------------------------


# What a send may fail with that a later attempt may not: the server down, refusing for now.
TRANSIENT = (smtplib.SMTPException, OSError)


def send_delivery(*, delivery_id: int, final: bool) -> ReportDelivery | None:
    """Send one copy, once. Claimed first: a copy sent, being sent or failed for good is
    left alone. A failure marks it retrying and raises `SendFailed` (the task retries with
    backoff), or failed for good when `final` (the last attempt)."""
    delivery = (
        ReportDelivery.objects.select_related("report__roadmap__org", "person")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or not delivery.claim():
        return delivery
    try:
        mail = message(delivery)
    except Exception:
        # Ours, not the server's (the stored PDF gone, a header refused): another try would
        # fail the same way.
        log.exception("Report delivery %s could not be built", delivery_id)
        delivery.failed("the message could not be built; tell your administrator", final=True)
        return delivery
    try:
        mail.send()
    except TRANSIENT as error:
        reason = f"{type(error).__name__}: {error}"[:500]
        log.warning(
            "Report delivery %s failed (attempt %s): %s", delivery_id, delivery.attempts, reason
        )
        delivery.failed(reason, final=final)
        if not final:
            raise SendFailed(reason) from error
        return delivery
    delivery.sent()
    return delivery


def message(delivery: ReportDelivery) -> EmailMultiAlternatives:
    report = delivery.report
    snapshot = report.snapshot
    page = settings.SITE_URL + reverse("roadmap:report_page", args=[report.roadmap_id])
    context = {
        "snapshot": snapshot,
        "summary": reports.summary(snapshot),
        "person": delivery.person,
        "page": page,
    }
    # One line whatever the roadmap's title holds: a line break in a header refuses the
    # message only when it is sent, after the build's error handling.
    subject = " ".join(render_to_string("roadmap/email/report_subject.txt", context).split())
    text = render_to_string("roadmap/email/report.txt", context)
    html = render_to_string("roadmap/email/report.html", context)
    mail = EmailMultiAlternatives(subject=subject, body=text, to=[delivery.email])
    mail.attach_alternative(html, "text/html")
    with report.file.open("rb") as pdf:
        mail.attach(report.filename, pdf.read(), "application/pdf")
    return mail


def resend(delivery: ReportDelivery) -> bool:
    """A copy that failed for good, back to a worker (the page's Resend)."""
    if delivery.requeue():
        transaction.on_commit(partial(enqueue_send, delivery.pk))
        return True
    return False


# The schedule ---------------------------------------------------------------------------


def send_due_reports(*, now: datetime | None = None) -> int:
    """For every organisation whose date (in its time zone) is on or after the first
    working day of a quarter: build and mail the report of the quarter that just ended, for
    each roadmap covering it. Idempotent: a roadmap's report of a quarter exists once, so
    later ticks find it and do nothing. Returns how many builds were started."""
    now = now or timezone.now()
    with scopes_disabled():
        orgs = list(Organization.objects.order_by("pk"))
    started = 0
    for org in orgs:
        today = now.astimezone(org.zone).date()
        quarter = reports.quarter_due(org, today)
        if quarter is None:
            continue
        with scope(organization=org):
            started += _schedule_org(org, quarter)
    return started


def _schedule_org(org: Organization, quarter: Quarter) -> int:
    started = 0
    existing = {
        r.roadmap_id: r
        for r in QuarterlyReport.objects.for_org(org).filter(quarter_start=quarter.start)
    }
    for roadmap in reports.roadmaps_covering(org, quarter).select_related("org"):
        report = existing.get(roadmap.pk)
        if report is None or _needs_final_build(report):
            request_report(roadmap=roadmap, quarter=quarter, send=True)
            started += 1
        elif _worth_retrying(report) and report.requeue(fresh_snapshot=False, send=True):
            # Build it again: a dead worker or broker is no reason to skip a quarter.
            transaction.on_commit(partial(enqueue_build, report))
            started += 1
    return started


def _worth_retrying(report: QuarterlyReport) -> bool:
    """Failed for a reason that passes (the worker died, the broker was down)."""
    transient = (ReportFailure.WORKER_LOST, ReportFailure.UNAVAILABLE)
    return report.status == ReportStatus.FAILED and report.error in transient


def _needs_final_build(report: QuarterlyReport) -> bool:
    """An early report ("so far") nobody received: the scheduled one replaces it."""
    return (
        report.status in (ReportStatus.DONE, ReportStatus.FAILED)
        and not report.is_final
        and not report.deliveries.exists()
    )


# Sweeping -------------------------------------------------------------------------------


def fail_stale_reports(*, now: datetime | None = None) -> tuple[int, int]:
    """Fail builds and sends whose worker died; (builds, sends). A copy stuck "sending" may
    or may not have left: it is failed, not sent again, and the page offers Resend."""
    now = now or timezone.now()
    builds = QuarterlyReport.objects.stale(now=now).update(
        status=ReportStatus.FAILED, error=ReportFailure.WORKER_LOST, finished_at=now
    )
    cutoff = now - timedelta(seconds=settings.REPORT_SEND_TIME_LIMIT + settings.EXPORT_STALE_MARGIN)
    sends = ReportDelivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=cutoff
    ).update(
        status=DeliveryStatus.FAILED,
        error="the worker stopped while sending; it may not have arrived",
    )
    if builds or sends:
        log.warning("Failed %s stale report build(s) and %s stale send(s)", builds, sends)
    return builds, sends


def current_quarter(org: Organization, today: date | None = None) -> Quarter:
    today = today or org.today()
    return Quarter.of(org, today, as_of=today)
