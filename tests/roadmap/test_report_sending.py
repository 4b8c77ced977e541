"""Mailing the quarterly report: one copy per subscriber, the PDF attached and a summary in
the body; once only, whatever ticks or tasks repeat; retried on SMTP failure, then shown as
failed with Resend. Sends go to a real SMTP server on a local socket (tests/smtp.py)."""

from __future__ import annotations

import email
import io
from contextlib import suppress
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from pypdf import PdfReader

from roadmap import report_jobs, tasks
from roadmap.models import (
    DeliveryStatus,
    QuarterlyReport,
    ReportDelivery,
    ReportStatus,
    ReportSubscription,
)
from tests.factories import InitiativeFactory, PersonFactory
from tests.smtp import closed_port, smtp_server

pytestmark = pytest.mark.django_db

AFTER_Q1 = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)  # Thursday: Q1 FY27's report is due


@pytest.fixture
def subscribed(roadmap):
    org = roadmap.org
    InitiativeFactory(roadmap=roadmap, title="Manager onboarding toolkit", status="delivered")
    grace = PersonFactory(org=org, name="Grace Kim", email="grace@northwind.test")
    omar = PersonFactory(org=org, name="Omar Haddad", email="Omar@Northwind.test")
    nobody = PersonFactory(org=org, name="No Address", email="")
    for person in (grace, omar, nobody):
        ReportSubscription.objects.create(org=org, roadmap=roadmap, person=person)
    return roadmap


def tick_and_work(*, final: bool = False) -> None:
    """What beat and the workers do, with the task bodies called here: the hourly tick,
    then every waiting build, then every waiting copy."""
    with time_machine.travel(AFTER_Q1, tick=False):
        report_jobs.send_due_reports()
        for pk in QuarterlyReport.objects.filter(status=ReportStatus.PENDING).values_list(
            "pk", flat=True
        ):
            report_jobs.build_report(report_id=pk)
        waiting = ReportDelivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]
        )
        for pk in waiting.values_list("pk", flat=True):
            with suppress(report_jobs.SendFailed):  # the task would retry it later
                report_jobs.send_delivery(delivery_id=pk, final=final)


def test_each_subscriber_gets_one_mail_with_the_pdf_and_a_summary(subscribed, settings):
    settings.SITE_URL = "https://roadmap.example"
    tick_and_work()

    report = QuarterlyReport.objects.get()
    assert sorted(d.email for d in report.deliveries.all()) == [
        "grace@northwind.test",
        "omar@northwind.test",
    ]  # the person without an address is skipped
    assert {d.status for d in report.deliveries.all()} == {DeliveryStatus.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == ["grace@northwind.test", "omar@northwind.test"]
    message = next(m for m in mail.outbox if m.to == ["grace@northwind.test"])
    assert message.subject == "Q1 FY27 report: Global onboarding roadmap"
    assert "Hello Grace Kim," in message.body
    assert "- 1 of 1 commitment delivered." in message.body
    page = f"https://roadmap.example/roadmaps/{subscribed.pk}/reports/"
    assert page in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and "<li>1 of 1 commitment delivered.</li>" in html
    [(filename, content, content_type)] = message.attachments
    assert (filename, content_type) == (report.filename, "application/pdf")
    assert content == report.file.open("rb").read()
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "Manager onboarding toolkit" in text


def test_a_duplicate_tick_and_duplicate_tasks_send_nothing_twice(subscribed):
    tick_and_work()
    tick_and_work()  # beat fired twice
    for delivery in ReportDelivery.objects.all():  # a redelivered task for each copy
        report_jobs.send_delivery(delivery_id=delivery.pk, final=False)
    report = QuarterlyReport.objects.get()
    report_jobs.create_deliveries(report)  # a second build's delivery step

    assert len(mail.outbox) == 2
    assert ReportDelivery.objects.count() == 2
    assert {d.attempts for d in ReportDelivery.objects.all()} == {1}


def test_a_refused_recipient_is_retried_alone_then_failed_then_resent(subscribed, settings):
    bounce = PersonFactory(org=subscribed.org, name="Bo Unce", email="bounce@northwind.test")
    ReportSubscription.objects.create(org=subscribed.org, roadmap=subscribed, person=bounce)

    with smtp_server(settings) as box:
        tick_and_work()  # first attempt: two sent, one refused (550)
        assert sorted(r[0] for r, _ in box.accepted) == [
            "grace@northwind.test",
            "omar@northwind.test",
        ]
        failed = ReportDelivery.objects.get(email="bounce@northwind.test")
        assert (failed.status, failed.attempts) == (DeliveryStatus.RETRYING, 1)
        assert "SMTPRecipientsRefused" in failed.error

        tick_and_work()  # the retry: only the refused copy is tried again
        tick_and_work(final=True)  # the last allowed attempt
        assert len(box.accepted) == 2 and box.refused == ["bounce@northwind.test"] * 3
        failed.refresh_from_db()
        assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, 3)

        # The address was corrected at the server; Resend sends it once more.
        bounce.email = "bo@northwind.test"
        bounce.save()
        assert report_jobs.resend(failed)
        assert not report_jobs.resend(failed)  # a second click: already waiting
        box.refused.clear()
    sent = {d.email: d.status for d in ReportDelivery.objects.all()}
    assert sent == {
        "bounce@northwind.test": DeliveryStatus.PENDING,
        "grace@northwind.test": DeliveryStatus.SENT,
        "omar@northwind.test": DeliveryStatus.SENT,
    }


def test_the_task_retries_an_unreachable_server_up_to_the_cap(subscribed, settings):
    """The task's own retry policy (autoretry, backoff, cap), run in-process by `apply`:
    the SMTP port refuses connections, so every attempt fails and the last marks it failed."""
    with time_machine.travel(AFTER_Q1, tick=False):
        report_jobs.send_due_reports()
        report_jobs.build_report(report_id=QuarterlyReport.objects.get().pk)
    delivery = ReportDelivery.objects.get(email="grace@northwind.test")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2

    tasks.send_report_delivery.apply(args=[delivery.pk])

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == tasks.send_report_delivery.max_retries + 1 == 6
    assert "ConnectionRefusedError" in delivery.error
    assert tasks.send_report_delivery.retry_backoff == 60
    assert tasks.send_report_delivery.retry_backoff_max <= 600  # under the visibility timeout


def test_a_send_stuck_when_its_worker_died_is_failed_not_resent(subscribed):
    tick_and_work()
    delivery = ReportDelivery.objects.get(email="grace@northwind.test")
    ReportDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=AFTER_Q1
    )
    assert report_jobs.fail_stale_reports(now=datetime(2027, 4, 1, 9, 5, tzinfo=UTC)) == (0, 1)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "may not have arrived" in delivery.error


def test_the_mail_is_a_real_mime_message_with_the_attachment(subscribed, settings):
    with smtp_server(settings) as box:
        tick_and_work()
    [_, raw] = box.accepted[0]
    parsed = email.message_from_bytes(raw)
    parts = [part.get_content_type() for part in parsed.walk()]
    assert "text/plain" in parts and "text/html" in parts and "application/pdf" in parts


def test_a_copy_that_cannot_be_built_fails_for_good_without_a_retry(subscribed):
    with time_machine.travel(AFTER_Q1, tick=False):
        report_jobs.send_due_reports()
        report_jobs.build_report(report_id=QuarterlyReport.objects.get().pk)
    report = QuarterlyReport.objects.get()
    report.file.delete(save=False)  # the stored PDF is gone (a lost volume)
    delivery = ReportDelivery.objects.get(email="grace@northwind.test")

    report_jobs.send_delivery(delivery_id=delivery.pk, final=False)  # no SendFailed

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert delivery.error == "the message could not be built; tell your administrator"
    assert mail.outbox == []


def test_a_line_break_in_the_roadmap_title_does_not_stop_the_mail(subscribed):
    """The subject is one line: a header with a line break is refused only at send time,
    past the build's error handling, and would have stalled every copy."""
    subscribed.title = "Global onboarding\nroadmap"
    subscribed.save()
    tick_and_work()
    assert {d.status for d in QuarterlyReport.objects.get().deliveries.all()} == {
        DeliveryStatus.SENT
    }
    assert {m.subject for m in mail.outbox} == {"Q1 FY27 report: Global onboarding roadmap"}
