"""`manage.py seed_demo`: idempotent, and the published logins and share link work."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from measurement.models import Kpi, Touchpoint
from roadmap.demo import (
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_SCOPED_SHARE_TOKEN,
    DEMO_SHARE_TOKEN,
    INITIATIVE_TITLES,
    ROADMAP_TITLE,
)
from roadmap.models import (
    Cycle,
    DeliveryStatus,
    Feedback,
    Initiative,
    QuarterlyReport,
    ReportStatus,
    ReportSubscription,
    Roadmap,
    ShareLink,
    ShareReview,
)
from roadmap_site.demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_SLUG, PEOPLE
from roadmap_site.models import Membership, Organization, Person
from tests.roadmap.api.conftest import bearer

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_twice_changes_nothing_the_second_time():
    seed()
    first = counts()
    seed()
    assert counts() == first

    org = Organization.objects.get(slug=DEMO_SLUG)
    assert org.is_demo
    assert first[Person._meta.label] == len(PEOPLE)
    assert first[Membership._meta.label] == len(DEMO_LOGINS)
    assert first[Roadmap._meta.label] == 1
    assert first[Cycle._meta.label] == 4
    assert first[Initiative._meta.label] == len(INITIATIVE_TITLES)
    # One leader subscribed, and the last finished quarter's report built and logged as sent.
    assert first[ReportSubscription._meta.label] == 1
    [report] = QuarterlyReport.objects.all()
    assert report.status == ReportStatus.DONE and report.is_final
    assert report.file.read().startswith(b"%PDF")
    [delivery] = report.deliveries.all()
    assert (delivery.email, delivery.status) == ("david@northwind.example", DeliveryStatus.SENT)
    # Share: the published link, an expired one and one scoped to a priority; four
    # reviewers, one of them a senior whose review is a roadmap-review touchpoint.
    assert first[ShareLink._meta.label] == 3
    assert {link.state for link in ShareLink.objects.all()} == {"active", "expired"}
    assert ShareLink.objects.filter(priorities__isnull=False).count() == 1
    assert first[ShareReview._meta.label] == 4
    assert Feedback.objects.exclude(answer="").exists()
    assert Feedback.objects.filter(state="declined").exists()
    assert Touchpoint.objects.filter(
        stakeholder__name="Elena Rossi", forum="roadmap_review", notes__contains="share link"
    ).exists()


def test_seed_demo_keeps_what_a_visitor_changed():
    seed()
    initiative = Initiative.objects.get(title=INITIATIVE_TITLES[0])
    initiative.status = "stopped"
    initiative.save()
    seed()
    initiative.refresh_from_db()
    assert initiative.status == "stopped"
    assert Initiative.objects.count() == len(INITIATIVE_TITLES)


def test_seed_demo_prints_the_logins(settings):
    settings.DEBUG = True  # the fixed, published demo tokens
    out = seed()
    for email, _name, _role in DEMO_LOGINS:
        assert email in out
    assert DEMO_PASSWORD in out
    assert f"/s/{DEMO_SHARE_TOKEN}/" in out
    assert f"/s/{DEMO_SCOPED_SHARE_TOKEN}/" in out


@pytest.mark.parametrize(("email", "name", "role"), DEMO_LOGINS, ids=[e for e, *_ in DEMO_LOGINS])
def test_demo_login_sees_the_onboarding_roadmap(email, name, role):
    seed()
    client = Client()

    response = client.post(
        reverse("login"), {"username": email, "password": DEMO_PASSWORD}, follow=True
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("roadmap:roadmap_list")
    assert ROADMAP_TITLE in response.text
    roadmap = Roadmap.objects.get(title=ROADMAP_TITLE)
    detail = client.get(reverse("roadmap:roadmap_detail", args=[roadmap.pk]))
    assert detail.status_code == 200
    for title in INITIATIVE_TITLES:
        assert title in detail.text
    assert detail.context["membership"].role == role


def test_demo_share_token_opens_the_roadmap_signed_out(settings):
    settings.DEBUG = True  # the fixed, published demo tokens
    seed()
    response = Client().get(reverse("roadmap:shared_roadmap", args=[DEMO_SHARE_TOKEN]))
    assert response.status_code == 200
    assert ROADMAP_TITLE in response.text
    assert "Northwind Global (demo)" in response.text


def test_demo_roadmap_has_fiscal_quarters_from_february():
    seed()
    roadmap = Roadmap.objects.get(title=ROADMAP_TITLE)
    assert [c.name for c in roadmap.cycles.order_by("position")] == [
        "Q1 FY27",
        "Q2 FY27",
        "Q3 FY27",
        "Q4 FY27",
    ]
    assert roadmap.period_start.month == 2
    assert roadmap.period_start.year == 2026


def test_the_printed_demo_api_token_reads_the_demo_kpis_and_cannot_write(settings):
    settings.DEBUG = True  # the fixed, published demo token
    out = seed()
    credentials = f"{DEMO_API_KEY}.{DEMO_API_SECRET}"
    assert credentials in out
    api = Client(headers={"Authorization": f"Bearer {credentials}"})

    kpis = api.get("/api/kpis")
    requests = api.post("/api/requests", {"title": "T", "problem": "P"}, "application/json")

    assert kpis.status_code == 200
    org = Organization.objects.get(slug=DEMO_SLUG)
    assert {k["name"] for k in kpis.json()["items"]} <= set(
        Kpi.objects.filter(org=org).values_list("name", flat=True)
    )
    assert kpis.json()["items"]
    assert requests.status_code == 403


def test_without_debug_the_demo_api_secret_is_random_and_the_old_one_refused(settings):
    settings.DEBUG = False
    out = seed()
    fixed = f"{DEMO_API_KEY}.{DEMO_API_SECRET}"

    assert fixed not in out
    printed = out.split("Authorization: Bearer ")[1].split()[0]
    assert bearer(fixed).get("/api/kpis").status_code == 401
    assert bearer(printed).get("/api/kpis").status_code == 200
