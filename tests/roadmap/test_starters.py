"""Starter templates: every file loads into an organisation, inside the chosen fiscal year,
once; a second load is refused without writing anything."""

from __future__ import annotations

import re
import tomllib
from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from measurement.models import Kpi
from roadmap.models import (
    BusinessEvent,
    Initiative,
    NotDoing,
    Roadmap,
    Stage,
    TrainingRequest,
)
from roadmap.starters import TEMPLATE_DIR, StarterConflict, get_starter, load_starter, starters
from roadmap_site.dates import add_months
from roadmap_site.models import Person
from strategy.models import CanvasAnswer, Priority, Strategy
from tests.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db

SLUGS = sorted(path.stem for path in TEMPLATE_DIR.glob("*.toml"))


def raw(slug: str) -> dict:
    """The file as written, read here independently of the loader."""
    with (TEMPLATE_DIR / f"{slug}.toml").open("rb") as file:
        return tomllib.load(file)


def test_there_are_three_templates_with_a_title_and_summary():
    assert SLUGS == ["compliance-refresh", "global-onboarding", "leadership-development"]
    assert list(starters()) == SLUGS
    for starter in starters().values():
        assert starter.name and starter.title and len(starter.summary) > 40
        assert "priorities with KPIs" in starter.contains


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("start_month", [1, 2, 7])
def test_each_template_loads_completely_into_the_chosen_fiscal_year(
    slug, start_month, admin_membership
):
    org = admin_membership.org
    org.fiscal_year_start_month = start_month
    org.save()
    other = OrganizationFactory()
    data = raw(slug)
    # Sign-up gives the admin a person of their own: the template's "you" becomes them.
    PersonFactory(org=org, name="Ada Admin", user=admin_membership.user)

    loaded = load_starter(get_starter(slug), org=org, fiscal_year=2029, by=admin_membership.user)

    n_people = len(data["people"])
    assert Person.objects.for_org(org).count() == n_people
    assert Kpi.objects.for_org(org).count() == len(data["kpis"])
    assert Priority.objects.for_org(org).count() == len(data["priorities"])
    assert Initiative.objects.for_org(org).count() == len(data["initiatives"])
    assert Stage.objects.for_org(org).count() == sum(
        len(i.get("stages", [])) for i in data["initiatives"]
    )
    assert TrainingRequest.objects.for_org(org).count() == len(data["requests"])
    assert BusinessEvent.objects.for_org(org).count() == len(data["events"])
    assert NotDoing.objects.for_org(org).count() == len(data["not_doing"])
    assert loaded.created["requests"] == len(data["requests"])
    # Tenancy: nothing landed in another organisation.
    assert not Initiative.objects.for_org(other).exists()
    assert not Person.objects.for_org(other).exists()

    strategy = Strategy.objects.get(org=org)
    assert strategy.fiscal_year == 2029
    assert all(answer.text for answer in strategy.answers.all())
    assert loaded.roadmap.fiscal_year == 2029
    # Everyone except the loading admin is a placeholder to rename.
    placeholders = Person.objects.for_org(org).filter(name__endswith="(rename me)")
    assert placeholders.count() == n_people - 1
    assert Person.objects.for_org(org).filter(user=admin_membership.user).exists()

    committed = list(Initiative.objects.for_org(org).committed())
    assert len(committed) >= 3
    for initiative in committed:
        assert initiative.owner is not None and initiative.accountable is not None
        assert initiative.tradeoffs and initiative.cycle is not None
        assert initiative.stages.exists()
    assert TrainingRequest.objects.for_org(org).exclude(state="new").exists()
    assert TrainingRequest.objects.for_org(org).filter(state="new").exists()

    start, end = org.fiscal_year_bounds(2029)
    days: list[date] = []
    for stage in Stage.objects.for_org(org):
        days += [stage.start, stage.end]
    for event in BusinessEvent.objects.for_org(org):
        days += [event.start, event.end]
    for kpi in Kpi.objects.for_org(org):
        days += [d for d in (kpi.baseline_date, kpi.target_date) if d]
    needed_by = []
    for request in TrainingRequest.objects.for_org(org):
        days += [request.submitted_at.date()]
        days += [request.decided_at.date()] if request.decided_at else []
        needed_by += [request.needed_by] if request.needed_by else []
    assert days and all(start <= day <= end for day in days), (start, end, min(days), max(days))
    # A requester may need something early next year; never before the year or later than that.
    assert all(start <= day <= add_months(end, 3) for day in needed_by)


def test_demo_template_lands_on_its_written_dates_in_its_own_year(admin_membership):
    org = admin_membership.org
    org.fiscal_year_start_month = 2
    org.save()

    load_starter(
        get_starter("global-onboarding"), org=org, fiscal_year=2027, by=admin_membership.user
    )

    stage = Stage.objects.get(initiative__title="Manager onboarding toolkit", kind="delivery")
    assert (stage.start, stage.end) == (date(2026, 7, 27), date(2026, 8, 14))
    vision = CanvasAnswer.objects.get(strategy__org=org, question="vision")
    assert vision.history.count() == 3  # empty, the first draft, the current vision


def test_a_second_load_for_the_same_year_is_refused_and_writes_nothing(
    admin_membership, row_counts
):
    org = admin_membership.org
    starter = get_starter("leadership-development")
    load_starter(starter, org=org, fiscal_year=2027, by=admin_membership.user)
    before = row_counts()

    with pytest.raises(StarterConflict, match="already has a strategy for FY27"):
        load_starter(get_starter("compliance-refresh"), org=org, fiscal_year=2027, by=None)

    assert row_counts() == before


def test_another_year_loads_beside_it_reusing_people_and_kpis(admin_membership):
    org = admin_membership.org
    starter = get_starter("compliance-refresh")
    load_starter(starter, org=org, fiscal_year=2027, by=admin_membership.user)
    people, kpis = Person.objects.count(), Kpi.objects.count()

    load_starter(starter, org=org, fiscal_year=2028, by=admin_membership.user)

    assert (Person.objects.count(), Kpi.objects.count()) == (people, kpis)
    assert Roadmap.objects.for_org(org).count() == 2
    assert Strategy.objects.for_org(org).count() == 2


def test_people_can_be_cast_by_key(org):
    cast = PersonFactory(org=org, name="Ada Trainer")

    load_starter(
        get_starter("leadership-development"),
        org=org,
        fiscal_year=2027,
        by=None,
        people={"leadership_lead": cast},
    )

    owned = [
        i for i in raw("leadership-development")["initiatives"] if i["owner"] == "leadership_lead"
    ]
    assert Initiative.objects.filter(owner=cast).count() == len(owned) > 0
    assert not Person.objects.filter(name__startswith="Leadership programme lead").exists()


@pytest.mark.parametrize(
    ("start_month", "url_name"),
    [(1, "roadmap:starter_choose"), (1, "roadmap:roadmap_list"), (2, "roadmap:starter_choose")],
)
def test_starting_from_a_template_proposes_the_year_ahead(admin_membership, start_month, url_name):
    """On 29 November the template goes into next year, like a new roadmap, not into the
    fiscal year that ends in a month (FY26 with a January start, FY27 with February)."""
    org = admin_membership.org
    org.fiscal_year_start_month = start_month
    org.save()
    with time_machine.travel(date(2026, 11, 29), tick=False):
        client = Client()
        client.force_login(admin_membership.user)
        html = client.get(reverse(url_name)).text
    year = re.search(r'<input type="number" name="fiscal_year" value="(\d+)"', html)
    assert year, "no fiscal year field"
    assert year.group(1) == {1: "2027", 2: "2028"}[start_month]
