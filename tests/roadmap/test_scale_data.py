"""`manage.py scale_data` at a tiny size: the counts asked for, the same rows every time."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from measurement.models import Kpi, KpiValue, Touchpoint
from roadmap.management.commands.scale_data import BENCH_EMAIL, BENCH_PASSWORD, SLUG
from roadmap.models import (
    BusinessEvent,
    CapacityEntry,
    Cycle,
    Initiative,
    InitiativeDependency,
    NotDoing,
    Roadmap,
    Stage,
    StageDependency,
    TrainingRequest,
    TrainingRequestState,
)
from roadmap_site.models import Membership, Organization, Person, Role, User
from strategy.models import CanvasAnswer, Priority, Strategy

pytestmark = pytest.mark.django_db

TINY = {
    "people": 10,
    "kpis": 3,
    "kpi_weeks": 4,
    "priorities": 2,
    "initiatives": 5,
    "stages": 12,
    "stage_dependencies": 9,
    "initiative_dependencies": 2,
    "requests": 22,
    "business_events": 2,
    "not_doing": 3,
    "programs": 3,
    "learner_events": 180,
}
# Worked out by hand from TINY: 12 stages over 5 initiatives are 3+3+2+2+2, whose
# within-initiative links are 2+2+1+1+1 = 7; two more link stages of different initiatives.
EXPECTED = {
    Person: 10,
    Kpi: 3,
    KpiValue: 3 * 4,
    Strategy: 1,
    CanvasAnswer: 5,
    Priority: 2,
    Roadmap: 1,
    Cycle: 4,
    Initiative: 5,
    Stage: 12,
    StageDependency: 9,
    InitiativeDependency: 2,
    CapacityEntry: 2 * 4,  # a fifth of 10 people are the L&D team, times four quarters
    BusinessEvent: 2,
    TrainingRequest: 22,
    NotDoing: 3,
    # 10 people: 2 in L&D, 8 in the business; every tenth of those (1) is senior, met in
    # each of the four quarters except the last (the first senior skips it).
    Touchpoint: 3,
}


def build(**options) -> str:
    out = StringIO()
    call_command("scale_data", stdout=out, **{**TINY, **options})
    return out.getvalue()


def snapshot() -> dict:
    org = Organization.objects.get(slug=SLUG)
    return {
        "counts": {model: model.objects.filter(org=org).count() for model in EXPECTED},
        "initiatives": list(
            Initiative.objects.filter(org=org).order_by("pk").values_list("title", flat=True)
        ),
        "requests": list(
            TrainingRequest.objects.filter(org=org)
            .order_by("pk")
            .values_list("title", "state", "audience_size")
        ),
        "stages": list(
            Stage.objects.filter(org=org).order_by("pk").values_list("start", "end", "kind")
        ),
        "values": list(
            KpiValue.objects.filter(org=org).order_by("pk").values_list("date", "value")
        ),
    }


def test_tiny_build_has_the_counts_asked_for():
    out = build()

    assert snapshot()["counts"] == EXPECTED
    assert "Done in" in out and "training requests" in out


def test_every_triage_state_is_there_and_respects_the_models_rules():
    build()
    requests = TrainingRequest.objects.all()

    assert set(requests.values_list("state", flat=True)) == set(TrainingRequestState.values)
    for request in requests.exclude(state__in=["new", "assessing"]):
        assert request.decided_at is not None
    for request in requests.filter(state="duplicate"):
        assert request.duplicate_of.state != "duplicate"
    for stage in Stage.objects.all():
        stage.full_clean()
    for kpi in Kpi.objects.all():
        kpi.full_clean()


def test_a_rebuild_makes_the_same_rows():
    build()
    first = snapshot()
    old_org = Organization.objects.get(slug=SLUG).pk

    out = build(reset=True)

    assert "Dropped the old one" in out
    assert Organization.objects.get(slug=SLUG).pk != old_org
    assert not Person.objects.filter(org_id=old_org).exists()
    assert snapshot() == first
    assert first["initiatives"][0] != first["initiatives"][1]


def test_an_existing_organisation_is_kept_without_reset():
    build()
    before = snapshot()

    with pytest.raises(CommandError, match="--reset"):
        build(initiatives=8)

    assert snapshot() == before


@pytest.mark.parametrize("options", [{"initiatives": -1}, {"people": 0}])
def test_bad_sizes_are_refused_and_nothing_is_written(options):
    with pytest.raises(CommandError):
        build(**options)

    assert not Organization.objects.filter(slug=SLUG).exists()
    assert not User.objects.filter(email=BENCH_EMAIL).exists()


def test_the_bench_user_signs_in_as_admin_of_the_scale_organisation():
    build()

    membership = Membership.objects.get(user__email=BENCH_EMAIL)
    assert membership.org.slug == SLUG and membership.role == Role.ADMIN
    assert Client().login(email=BENCH_EMAIL, password=BENCH_PASSWORD)
