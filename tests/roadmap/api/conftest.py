"""An organisation with a little of everything the API reads, and tokens to read it with."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from measurement.engagement import record_events, set_eligible
from measurement.models import Program
from roadmap.models import InitiativeStatus, TrainingRequestState
from roadmap_site.models import ApiScope, ApiToken
from tests.factories import (
    InitiativeFactory,
    KpiFactory,
    KpiValueFactory,
    PersonFactory,
    PriorityWithKpiFactory,
    RoadmapFactory,
    TrainingRequestFactory,
)


def bearer(credentials: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {credentials}"})


@pytest.fixture
def write_credentials(org) -> str:
    return ApiToken.issue(org=org, name="LMS", scope=ApiScope.WRITE, created_by=None)[1]


@pytest.fixture
def read_credentials(org) -> str:
    return ApiToken.issue(org=org, name="BI", scope=ApiScope.READ, created_by=None)[1]


@pytest.fixture
def api(write_credentials) -> Client:
    """A client signed with a write token of `org`."""
    return bearer(write_credentials)


@pytest.fixture
def reader(read_credentials) -> Client:
    return bearer(read_credentials)


@pytest.fixture
def outsider_api(other_org) -> Client:
    """A client signed with a write token of another organisation."""
    return bearer(ApiToken.issue(org=other_org, name="X", scope="write", created_by=None)[1])


@pytest.fixture
def kpi(org):
    """Lower is better: from 100 on 1 Jan 2026 to 60 on 31 Dec 2026."""
    return KpiFactory(org=org, name="Time to productivity")


@pytest.fixture
def seeded(org, other_org, roadmap, initiative, kpi):
    """Rows of every kind in `org`, and the same kinds in `other_org`."""
    KpiValueFactory(kpi=kpi, date=date(2026, 2, 1), value=Decimal("95"))
    PriorityWithKpiFactory(org=org, strategy__org=org)
    InitiativeFactory(roadmap=roadmap, status=InitiativeStatus.COMMITTED)
    TrainingRequestFactory(org=org)
    TrainingRequestFactory(org=org, state=TrainingRequestState.ASSESSING)
    other_roadmap = RoadmapFactory(org=other_org)
    InitiativeFactory(roadmap=other_roadmap)
    KpiValueFactory(kpi=KpiFactory(org=other_org))
    PriorityWithKpiFactory(org=other_org, strategy__org=other_org)
    TrainingRequestFactory(org=other_org)
    program = Program.objects.for_initiative(initiative)
    record_events(
        program=program,
        events=[
            {"learner_key": "k1", "event_type": "completed", "occurred_at": "2026-03-02T10:00Z"}
        ],
    )
    set_eligible(program=program, month=date(2026, 3, 1), count=10)
    PersonFactory(org=org, is_senior=True)
    Program.objects.for_initiative(InitiativeFactory(roadmap=other_roadmap))
    return org
