"""Measurement through the API: programs and their months, learner activity batches,
eligible learners, touchpoints and survey responses; the same functions as the pages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from measurement.engagement import record_events, set_eligible
from measurement.models import (
    EligibleLearners,
    LearnerEvent,
    Program,
    SurveyResponse,
    Touchpoint,
)
from roadmap_site.models import Organization
from tests.factories import InitiativeFactory, PersonFactory, RoadmapFactory

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 4, 15, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _april():
    with time_machine.travel(TODAY, tick=False):
        yield


def send(client, method: str, path: str, body):
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def program(initiative) -> Program:
    return Program.objects.for_initiative(initiative)


@pytest.fixture
def their_program(other_org) -> Program:
    return Program.objects.for_initiative(InitiativeFactory(roadmap=RoadmapFactory(org=other_org)))


def event(key: str = "k1", when: str = "2026-03-10T09:30:00Z", kind: str = "completed") -> dict:
    return {"learner_key": key, "event_type": kind, "occurred_at": when}


# Reading ---------------------------------------------------------------------------------


def test_programs_list_last_months_rate(reader, org, program, their_program):
    record_events(program=program, events=[event("a"), event("b"), event("c", kind="x")])
    set_eligible(program=program, month=date(2026, 3, 1), count=8)
    record_events(program=their_program, events=[event("z")])

    response = reader.get("/api/programs")

    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["id"] == program.pk
    assert item["title"] == program.initiative.title
    assert item["last_month"] == "2026-03-01"
    # "x" is not a qualifying event: two active learners of eight eligible.
    assert (item["active_learners"], item["eligible"]) == (2, 8)
    assert Decimal(item["active_rate"]) == Decimal("0.25")


def test_a_program_without_eligible_learners_has_no_rate(reader, program):
    record_events(program=program, events=[event()])
    item = reader.get("/api/programs").json()["items"][0]
    assert (item["active_learners"], item["eligible"], item["active_rate"]) == (1, None, None)


def test_the_programs_list_reads_in_fixed_queries(reader, roadmap, django_assert_num_queries):
    Program.objects.for_initiative(InitiativeFactory(roadmap=roadmap))
    reader.get("/api/programs")  # stamps the token's last use
    # The request's savepoint and its release, the token, one query for the page.
    with django_assert_num_queries(4):
        reader.get("/api/programs")
    for _ in range(12):
        program = Program.objects.for_initiative(InitiativeFactory(roadmap=roadmap))
        record_events(program=program, events=[event()])
    with django_assert_num_queries(4):
        assert len(reader.get("/api/programs").json()["items"]) == 13


def test_a_programs_months(reader, program, their_program, django_assert_num_queries):
    record_events(program=program, events=[event("a"), event("a", "2026-02-03T10:00:00Z")])
    set_eligible(program=program, month=date(2026, 3, 1), count=4)

    reader.get("/api/programs")  # stamps the token's last use
    # Savepoint, token, program, rollup, eligible counts, release: however many months.
    with django_assert_num_queries(6):
        response = reader.get(f"/api/programs/{program.pk}/months")

    assert response.status_code == 200
    months = response.json()
    assert [m["month"] for m in months] == ["2026-02-01", "2026-03-01"]
    assert months[0]["eligible"] is None and months[0]["active_rate"] is None
    assert months[1]["events_by_type"] == {"completed": 1}
    assert Decimal(months[1]["active_rate"]) == Decimal("0.25")
    assert Decimal(months[1]["completion_rate"]) == Decimal("0.25")
    assert reader.get(f"/api/programs/{their_program.pk}/months").status_code == 404


# Learner activity ------------------------------------------------------------------------


def test_a_batch_writes_the_good_events_and_reports_the_bad(api, org, program):
    version = org.version
    body = {
        "events": [
            event("a"),
            event("", kind="completed"),  # no key
            event("b", when="last tuesday"),
            event("a"),  # the same again in the batch
            event("c", kind="http://adlnet.gov/expapi/verbs/launched"),
            event("d", when="2027-01-01T00:00:00Z"),  # the future
        ]
    }
    response = send(api, "post", f"/api/programs/{program.pk}/events", body)

    assert response.status_code == 200
    out = response.json()
    assert (out["written"], out["duplicates"], out["rejected"]) == (2, 1, 3)
    assert [e["index"] for e in out["errors"]] == [1, 2, 5]
    assert "learner key" in out["errors"][0]["errors"]["event"][0]
    assert sorted(LearnerEvent.objects.values_list("learner_key", "event_type")) == [
        ("a", "completed"),
        ("c", "launched"),
    ]
    assert program.months.get().active_learners == 2
    assert Organization.objects.get(pk=org.pk).version > version
    # Sent again: nothing new.
    again = send(api, "post", f"/api/programs/{program.pk}/events", body).json()
    assert (again["written"], again["duplicates"]) == (0, 3)


def test_all_or_nothing_writes_none_when_one_is_bad(api, program):
    body = {"events": [event("a"), event("b", when="nope")]}
    response = send(api, "post", f"/api/programs/{program.pk}/events?all_or_nothing=true", body)

    assert response.status_code == 422
    assert "events.1.event" in response.json()["errors"]
    assert not LearnerEvent.objects.exists()
    assert not program.months.exists()


def test_the_batch_cap_is_ten_thousand_events(api, program):
    body = {"events": [event(f"k{i}") for i in range(10_001)]}
    response = send(api, "post", f"/api/programs/{program.pk}/events", body)

    assert response.status_code == 422
    assert not LearnerEvent.objects.exists()


def test_events_need_write_scope_and_this_orgs_program(reader, api, outsider_api, program):
    path = f"/api/programs/{program.pk}/events"
    assert send(reader, "post", path, {"events": [event()]}).status_code == 403
    assert send(outsider_api, "post", path, {"events": [event()]}).status_code == 404
    assert send(api, "post", "/api/programs/999999/events", {"events": []}).status_code == 404
    assert not LearnerEvent.objects.exists()


# Eligible learners -----------------------------------------------------------------------


def test_eligible_learners_are_set_then_unchanged(api, program):
    path = f"/api/programs/{program.pk}/eligible/2026-03-01"
    first = send(api, "put", path, {"count": 120})
    again = send(api, "put", path, {"count": 120})

    assert first.status_code == again.status_code == 200
    assert first.json() == {
        "program_id": program.pk,
        "month": "2026-03-01",
        "count": 120,
        "changed": True,
    }
    assert again.json()["changed"] is False
    assert EligibleLearners.objects.get().count == 120


@pytest.mark.parametrize(
    ("month", "body"),
    [
        ("2026-03-15", {"count": 5}),  # not a first day
        ("2026-13-01", {"count": 5}),
        ("2026-03-01", {"count": -1}),
        ("2026-03-01", {"count": 10_000_001}),
        ("2026-03-01", {"count": "many"}),
        ("2026-03-01", {}),
    ],
)
def test_bad_eligible_learners_are_422_and_write_nothing(api, program, month, body):
    response = send(api, "put", f"/api/programs/{program.pk}/eligible/{month}", body)

    assert response.status_code == 422
    assert response.json()["detail"]
    assert not EligibleLearners.objects.exists()


def test_eligible_learners_of_another_org_are_404_and_readers_403(reader, outsider_api, program):
    path = f"/api/programs/{program.pk}/eligible/2026-03-01"
    assert send(outsider_api, "put", path, {"count": 1}).status_code == 404
    assert send(reader, "put", path, {"count": 1}).status_code == 403
    assert not EligibleLearners.objects.exists()


# Touchpoints -----------------------------------------------------------------------------


@pytest.fixture
def senior(org):
    return PersonFactory(org=org, name="Dana Whitfield", is_senior=True)


def test_touchpoints_write_the_good_and_report_the_bad(api, org, senior, person, other_org):
    theirs = PersonFactory(org=other_org, is_senior=True)
    items = [
        {"stakeholder": senior.pk, "date": "2026-03-02", "forum": "budget_cycle"},
        {"stakeholder": person.pk, "date": "2026-03-02", "forum": "budget_cycle"},  # not senior
        {"stakeholder": theirs.pk, "date": "2026-03-02", "forum": "budget_cycle"},
        {"stakeholder": senior.pk, "date": "2026-03-03", "forum": "coffee"},
        {"stakeholder": senior.pk, "date": "2026-03-02", "forum": "budget_cycle", "notes": "Q2"},
    ]
    response = send(api, "post", "/api/touchpoints", {"items": items})

    assert response.status_code == 200
    out = response.json()
    assert (out["created"], out["existing"], out["rejected"]) == (1, 1, 3)
    by_index = {e["index"]: e["errors"] for e in out["errors"]}
    assert "senior" in by_index[1]["stakeholder"][0]
    assert by_index[2]["stakeholder"] == [f"No person {theirs.pk} in this organisation."]
    assert "forum" in by_index[3]
    touchpoint = Touchpoint.objects.get()
    assert (touchpoint.org, touchpoint.stakeholder, touchpoint.notes) == (org, senior, "Q2")


def test_touchpoints_all_or_nothing(api, senior):
    items = [
        {"stakeholder": senior.pk, "date": "2026-03-02", "forum": "budget_cycle"},
        {"stakeholder": senior.pk, "date": "2026-03-02", "forum": "coffee"},
    ]
    response = send(api, "post", "/api/touchpoints?all_or_nothing=true", {"items": items})

    assert response.status_code == 422
    assert "items.1.forum" in response.json()["errors"]
    assert not Touchpoint.objects.exists()


def test_touchpoints_need_write_scope_and_cap_at_a_thousand(reader, api, senior):
    item = {"stakeholder": senior.pk, "date": "2026-03-02", "forum": "budget_cycle"}
    assert send(reader, "post", "/api/touchpoints", {"items": [item]}).status_code == 403
    assert send(api, "post", "/api/touchpoints", {"items": [item] * 1001}).status_code == 422
    assert not Touchpoint.objects.exists()


# Survey responses ------------------------------------------------------------------------


def test_survey_responses_write_the_good_and_report_the_bad(api, program):
    items = [
        {"score": 9, "responded_on": "2026-03-02", "respondent": "r1"},
        {"score": 11, "responded_on": "2026-03-02"},
        {"score": 3, "responded_on": "2026-03-02", "respondent": "r" * 101},
        {"score": 7, "responded_on": "2026-03-02", "respondent": "r1", "comment": "Changed"},
        {"score": 4, "responded_on": "2026-03-03"},
    ]
    response = send(api, "post", f"/api/programs/{program.pk}/survey-responses", {"items": items})

    assert response.status_code == 200
    out = response.json()
    assert (out["created"], out["existing"], out["rejected"]) == (2, 1, 2)
    by_index = {e["index"]: e["errors"] for e in out["errors"]}
    assert "score" in by_index[1]
    assert "respondent" in by_index[2]
    assert sorted(SurveyResponse.objects.values_list("score", "comment")) == [
        (4, ""),
        (7, "Changed"),
    ]


def test_survey_responses_all_or_nothing_and_tenancy(api, outsider_api, reader, program):
    path = f"/api/programs/{program.pk}/survey-responses"
    items = [
        {"score": 9, "responded_on": "2026-03-02"},
        {"score": -1, "responded_on": "2026-03-02"},
    ]

    assert send(api, "post", path + "?all_or_nothing=true", {"items": items}).status_code == 422
    assert send(outsider_api, "post", path, {"items": items[:1]}).status_code == 404
    assert send(reader, "post", path, {"items": items[:1]}).status_code == 403
    assert not SurveyResponse.objects.exists()
