"""The quarterly report page: who may read, subscribe, build and resend; refused input;
pinned query counts at a small and a larger size."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse

from roadmap.models import (
    DeliveryStatus,
    QuarterlyReport,
    ReportDelivery,
    ReportStatus,
    ReportSubscription,
)
from tests.conftest import HTMX
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

WRITERS = ["admin", "editor"]


@pytest.fixture
def leader(org):
    return PersonFactory(org=org, name="Grace Kim", title="COO", email="grace@northwind.test")


def done_report(roadmap, quarter_start: date, label: str, *, recipients: int = 1):
    report = QuarterlyReport.objects.create(
        org=roadmap.org,
        roadmap=roadmap,
        quarter_start=quarter_start,
        quarter_end=quarter_start.replace(month=quarter_start.month + 2, day=28),
        label=label,
        as_of=date(2027, 12, 31),
        status=ReportStatus.DONE,
        snapshot={"quarter": label},
    )
    report.file.save(report.filename, ContentFile(b"%PDF-1.7 test"), save=True)
    for n in range(recipients):
        ReportDelivery.objects.create(
            org=roadmap.org,
            report=report,
            email=f"leader{n}@northwind.test",
            status=DeliveryStatus.SENT if n else DeliveryStatus.FAILED,
            attempts=1,
            error="" if n else "SMTPRecipientsRefused: 550 No such user",
        )
    return report


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
def test_members_read_the_page_outsiders_get_404(client_for, roadmap, leader, role):
    ReportSubscription.objects.create(org=roadmap.org, roadmap=roadmap, person=leader)
    done_report(roadmap, date(2027, 1, 1), "Q1 FY27")
    page = client_for(role).get(reverse("roadmap:report_page", args=[roadmap.pk]))
    assert page.status_code == 200
    text = page.text
    assert "Grace Kim, COO" in text and "Q1 FY27" in text
    assert "Failed" in text and "SMTPRecipientsRefused: 550 No such user" in text
    assert ("Build this quarter's report now" in text) == (role == "admin")
    assert ("Add leader" in text) == (role != "viewer")
    assert (">Resend<" in text) == (role != "viewer")
    assert (
        client_for("outsider").get(reverse("roadmap:report_page", args=[roadmap.pk])).status_code
        == 404
    )


@pytest.mark.parametrize("role", WRITERS)
def test_writers_subscribe_and_unsubscribe(client_for, roadmap, leader, role):
    client = client_for(role)
    url = reverse("roadmap:report_subscribe", args=[roadmap.pk])
    response = client.post(url, {"person": leader.pk})
    assert response.status_code == 302
    subscription = ReportSubscription.objects.get()
    assert (subscription.person, subscription.roadmap, subscription.org) == (
        leader,
        roadmap,
        roadmap.org,
    )
    response = client.post(url, {"person": leader.pk}, **HTMX)  # already subscribed
    assert response.status_code == 200
    assert "Choose someone from the list." in response.text
    assert ReportSubscription.objects.count() == 1

    response = client.post(reverse("roadmap:report_unsubscribe", args=[subscription.pk]), **HTMX)
    assert response.status_code == 200
    assert "Nobody receives this roadmap's report yet." in response.text
    assert not ReportSubscription.objects.exists()


def test_viewers_cannot_write_and_outsiders_see_nothing(client_for, roadmap, leader):
    subscription = ReportSubscription.objects.create(
        org=roadmap.org, roadmap=roadmap, person=leader
    )
    report = done_report(roadmap, date(2027, 1, 1), "Q1 FY27")
    failed = report.deliveries.get(status=DeliveryStatus.FAILED)
    writes = [
        (reverse("roadmap:report_subscribe", args=[roadmap.pk]), {"person": leader.pk}),
        (reverse("roadmap:report_unsubscribe", args=[subscription.pk]), {}),
        (reverse("roadmap:report_build", args=[roadmap.pk]), {}),
        (reverse("roadmap:delivery_resend", args=[failed.pk]), {}),
    ]
    for url, data in writes:
        assert client_for("viewer").post(url, data).status_code == 403, url
        assert client_for("outsider").post(url, data).status_code == 404, url
    download = reverse("roadmap:report_download", args=[report.pk])
    assert client_for("outsider").get(download).status_code == 404
    assert (
        client_for("editor").post(reverse("roadmap:report_build", args=[roadmap.pk])).status_code
        == 403
    )
    assert ReportSubscription.objects.count() == 1
    assert QuarterlyReport.objects.count() == 1
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.FAILED


def test_refused_input_is_a_form_error_not_a_row(client_for, roadmap, other_org, org):
    outsider = PersonFactory(org=other_org, name="Someone Else", email="else@contoso.test")
    no_address = PersonFactory(org=org, name="No Address", email="")
    client = client_for("editor")
    url = reverse("roadmap:report_subscribe", args=[roadmap.pk])
    for value in (outsider.pk, no_address.pk, "", "abc", "99999"):
        response = client.post(url, {"person": value})
        assert response.status_code == 400, value
        assert "Choose someone" in response.text or "This field is required." in response.text
    assert not ReportSubscription.objects.exists()


def test_viewers_download_a_built_report(client_for, roadmap):
    report = done_report(roadmap, date(2027, 1, 1), "Q1 FY27")
    response = client_for("viewer").get(reverse("roadmap:report_download", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.7 test"
    assert 'filename="Q1-FY27-report-' in response["Content-Disposition"]
    pending = QuarterlyReport.objects.create(
        org=roadmap.org,
        roadmap=roadmap,
        quarter_start=date(2027, 4, 1),
        quarter_end=date(2027, 6, 30),
        label="Q2 FY27",
    )
    url = reverse("roadmap:report_download", args=[pending.pk])
    assert client_for("viewer").get(url).status_code == 404


def test_admin_builds_this_quarter_so_far_without_mailing(
    client_for, roadmap, leader, django_capture_on_commit_callbacks
):
    ReportSubscription.objects.create(org=roadmap.org, roadmap=roadmap, person=leader)
    with (
        time_machine.travel(datetime(2027, 2, 10, 9, 0, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        response = client_for("admin").post(reverse("roadmap:report_build", args=[roadmap.pk]))
    assert response.status_code == 302
    report = QuarterlyReport.objects.get()
    assert (report.label, report.status, report.send_when_built) == (
        "Q1 FY27",
        ReportStatus.PENDING,
        False,
    )
    assert len(callbacks) == 1


def test_writers_resend_a_failed_copy(client_for, roadmap, django_capture_on_commit_callbacks):
    report = done_report(roadmap, date(2027, 1, 1), "Q1 FY27", recipients=2)
    failed = report.deliveries.get(status=DeliveryStatus.FAILED)
    sent = report.deliveries.get(status=DeliveryStatus.SENT)
    client = client_for("editor")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(reverse("roadmap:delivery_resend", args=[failed.pk])).status_code == 302
        assert client.post(reverse("roadmap:delivery_resend", args=[sent.pk])).status_code == 302
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, sent.status) == (DeliveryStatus.PENDING, DeliveryStatus.SENT)
    assert len(callbacks) == 1  # only the failed copy goes back to a worker


# session, user, membership, roadmap (+org), reports, their deliveries (one prefetch),
# subscriptions (+person), the form's people, other memberships; SAVEPOINT, RELEASE.
REPORT_PAGE_QUERIES = 10


@pytest.mark.parametrize("size", [1, 8])
def test_report_page_queries_do_not_grow(client_for, roadmap, org, size, django_assert_num_queries):
    client = client_for("admin")
    for n in range(size):
        done_report(
            roadmap,
            date(2026 - n // 4, 1 + 3 * (n % 4), 1),
            f"Q{n % 4 + 1} FY{26 - n // 4}",
            recipients=size,
        )
        person = PersonFactory(org=org, name=f"Leader {n}", email=f"l{n}@northwind.test")
        ReportSubscription.objects.create(org=org, roadmap=roadmap, person=person)
    url = reverse("roadmap:report_page", args=[roadmap.pk])
    with django_assert_num_queries(REPORT_PAGE_QUERIES):
        response = client.get(url)
    assert response.text.count('class="report"') == size
    assert response.text.count("Leader ") >= size
