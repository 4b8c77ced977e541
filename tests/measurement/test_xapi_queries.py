"""xAPI voiding and statement queries: a voided statement hidden everywhere but
voidedStatementId and its learner event taken back with the month recounted; queries by
each filter, `more` paging that neither repeats nor skips under writes, limits, bad
parameters as 400, tenancy and scopes, and one query per page however big."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import Client

from measurement.models import ActivityMapping, LearnerEvent, Program, ProgramMonth, XapiStatement
from measurement.xapi import map_activity
from roadmap_site.models import ApiScope
from tests.measurement.test_xapi import COMPLETED, COURSE, V, basic, post, put, statement, token

pytestmark = pytest.mark.django_db

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
LAUNCHED = "http://adlnet.gov/expapi/verbs/launched"
OTHER_COURSE = "https://lms.example.com/courses/safety-201"
MARCH = date(2026, 3, 1)


@pytest.fixture
def lrs(org) -> Client:
    return Client(**V, **basic(token(org)))


@pytest.fixture
def program(initiative) -> Program:
    return Program.objects.for_initiative(initiative)


@pytest.fixture
def mapped(org, program) -> ActivityMapping:
    return ActivityMapping.objects.create(org=org, activity_id=COURSE, program=program)


def voiding(target: uuid.UUID | str, **changes) -> dict:
    return statement(
        verb={"id": VOIDED, "display": {"en-US": "voided"}},
        object={"objectType": "StatementRef", "id": str(target)},
        **changes,
    )


def query(client: Client, **params) -> dict:
    response = client.get(f"/xapi/statements?{urlencode(params)}")
    assert response.status_code == 200, response.content
    assert response["X-Experience-API-Consistent-Through"]
    return response.json()


def ids(result: dict) -> list[str]:
    return [s["id"] for s in result["statements"]]


# Voiding -----------------------------------------------------------------------------------


def test_voiding_hides_the_target_and_takes_its_event_back(lrs, mapped, program):
    kept, target = uuid.uuid4(), uuid.uuid4()
    post(
        lrs,
        [
            statement(id=str(kept)),
            statement(id=str(target), actor={"mbox": "mailto:bo@example.com"}),
        ],
    )
    assert ProgramMonth.objects.get(program=program, month=MARCH).completers == 2

    void_id = uuid.uuid4()
    assert put(lrs, void_id, voiding(target)).status_code == 204

    assert lrs.get(f"/xapi/statements?statementId={target}").status_code == 404
    again = lrs.get(f"/xapi/statements?voidedStatementId={target}")
    assert again.status_code == 200
    assert again.json()["id"] == str(target)
    assert lrs.get(f"/xapi/statements?voidedStatementId={kept}").status_code == 404
    exact = lrs.get(f"/xapi/statements?voidedStatementId={target}&format=exact")
    assert exact.json() == again.json()
    # The voiding statement itself is an ordinary statement: returned by id and by queries.
    assert lrs.get(f"/xapi/statements?statementId={void_id}").status_code == 200
    assert sorted(ids(query(lrs))) == sorted([str(kept), str(void_id)])
    assert list(LearnerEvent.objects.values_list("statement_id", flat=True)) == [kept]
    month = ProgramMonth.objects.get(program=program, month=MARCH)
    assert (month.events, month.completers, month.active_learners) == (1, 1, 1)


def test_voiding_the_only_event_of_a_month_empties_the_month(lrs, mapped, program):
    target = uuid.uuid4()
    post(lrs, statement(id=str(target)))
    post(lrs, voiding(target))

    assert not LearnerEvent.objects.exists()
    assert not ProgramMonth.objects.filter(program=program).exists()


def test_a_voiding_statement_cannot_be_voided(lrs, mapped):
    target, first = uuid.uuid4(), uuid.uuid4()
    post(lrs, statement(id=str(target)))
    post(lrs, voiding(target, id=str(first)))

    refused = post(lrs, voiding(first))
    in_one_batch = post(
        lrs, [voiding(uuid.uuid4(), id=str(second := uuid.uuid4())), voiding(second)]
    )

    assert refused.status_code == 400
    assert "cannot be voided" in refused.json()["detail"]
    assert in_one_batch.status_code == 400
    assert XapiStatement.objects.count() == 2
    assert lrs.get(f"/xapi/statements?statementId={first}").status_code == 200


def test_voiding_an_unknown_target_is_stored_and_voids_it_when_it_arrives(lrs, mapped):
    target = uuid.uuid4()
    assert post(lrs, voiding(target)).status_code == 200
    assert post(lrs, statement(id=str(target))).status_code == 200

    assert lrs.get(f"/xapi/statements?statementId={target}").status_code == 404
    assert lrs.get(f"/xapi/statements?voidedStatementId={target}").status_code == 200
    assert not LearnerEvent.objects.exists()


def test_voiding_twice_changes_nothing_more(lrs, mapped, program):
    target = uuid.uuid4()
    post(lrs, [statement(id=str(target)), statement(timestamp="2026-03-12T10:00Z")])
    post(lrs, voiding(target))
    post(lrs, voiding(target))

    assert XapiStatement.objects.filter(voided=True).count() == 1
    assert ProgramMonth.objects.get(program=program, month=MARCH).events == 1


def test_the_same_event_from_a_statement_still_standing_counts_again(lrs, mapped, program):
    # Two statements of one learner, verb and time are one event, stored with the first's id.
    first, second = uuid.uuid4(), uuid.uuid4()
    post(lrs, [statement(id=str(first)), statement(id=str(second))])
    assert LearnerEvent.objects.get().statement_id == first

    post(lrs, voiding(first))

    assert LearnerEvent.objects.get().statement_id == second
    assert ProgramMonth.objects.get(program=program, month=MARCH).completers == 1


def test_a_voided_statement_is_not_replayed_when_its_activity_is_mapped(lrs, org, program):
    target = uuid.uuid4()
    post(lrs, [statement(id=str(target)), voiding(target)])
    written = map_activity(activity=ActivityMapping.objects.get(), program=program)

    assert written == 0
    assert not LearnerEvent.objects.exists()


def test_a_read_token_cannot_void(org, lrs, mapped):
    target = uuid.uuid4()
    post(lrs, statement(id=str(target)))
    reader = Client(**V, **basic(token(org, ApiScope.READ)))

    assert post(reader, voiding(target)).status_code == 403
    assert not XapiStatement.objects.filter(voided=True).exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"objectType": "StatementRef", "id": "not-a-uuid"},
        {"objectType": "StatementRef"},
        {"id": COURSE},  # voided needs a StatementRef
    ],
)
def test_a_malformed_voiding_statement_is_400(lrs, bad):
    response = post(lrs, statement(verb={"id": VOIDED}, object=bad))
    assert response.status_code == 400
    assert not XapiStatement.objects.exists()


@pytest.mark.parametrize("size", [2, 30])
def test_voiding_a_batch_costs_the_same_queries_at_any_size(
    lrs, mapped, program, size, django_assert_num_queries
):
    targets = [uuid.uuid4() for _ in range(size)]
    post(
        lrs,
        [
            statement(id=str(t), actor={"mbox": f"mailto:l{i}@example.com"})
            for i, t in enumerate(targets)
        ],
    )

    with django_assert_num_queries(QUERIES_VOIDING):
        assert post(lrs, [voiding(t) for t in targets]).status_code == 200

    assert XapiStatement.objects.filter(voided=True).count() == size
    assert not LearnerEvent.objects.exists()


# The store as for any batch, then the targets, marking them voided, and per program:
# lock, the events' times, delete, recount, version, the twins still standing.
QUERIES_VOIDING = 21


# Queries -----------------------------------------------------------------------------------


def test_a_query_without_parameters_is_a_statement_result_newest_first(lrs, mapped):
    with time_machine.travel(datetime(2026, 4, 1, 9, tzinfo=UTC), tick=False):
        post(lrs, statement(id=str(old := uuid.uuid4())))
    with time_machine.travel(datetime(2026, 4, 2, 9, tzinfo=UTC), tick=False):
        post(lrs, statement(id=str(new := uuid.uuid4())))

    result = query(lrs)

    assert ids(result) == [str(new), str(old)]
    assert result["more"] == ""
    assert ids(query(lrs, ascending="true")) == [str(old), str(new)]
    # The stored statement, as GET by id returns it: the actor is the pseudonymous account.
    first = result["statements"][0]
    assert first == lrs.get(f"/xapi/statements?statementId={new}").json()
    assert "mbox" not in first["actor"] and "name" not in first["actor"]


def test_each_filter(lrs, mapped):
    registration = uuid.uuid4()
    ada = {"mbox": "mailto:ada@example.com"}
    bo = {"account": {"homePage": "https://lms.example.com", "name": "bo"}}
    with time_machine.travel(datetime(2026, 4, 1, 9, tzinfo=UTC), tick=False):
        post(lrs, statement(id=str(a1 := uuid.uuid4()), actor=ada))
    with time_machine.travel(datetime(2026, 4, 2, 9, tzinfo=UTC), tick=False):
        post(
            lrs,
            statement(
                id=str(a2 := uuid.uuid4()),
                actor=ada,
                verb={"id": LAUNCHED},
                context={"registration": str(registration).upper()},
            ),
        )
    with time_machine.travel(datetime(2026, 4, 3, 9, tzinfo=UTC), tick=False):
        post(lrs, statement(id=str(b1 := uuid.uuid4()), actor=bo, object={"id": OTHER_COURSE}))

    by_mbox = ids(query(lrs, agent=json.dumps(ada)))
    # The same learner by the pseudonymous account GET gave back.
    given_back = query(lrs, agent=json.dumps(ada))["statements"][0]["actor"]
    assert by_mbox == [str(a2), str(a1)]
    assert ids(query(lrs, agent=json.dumps(given_back))) == by_mbox
    assert ids(query(lrs, agent=json.dumps(bo))) == [str(b1)]
    assert ids(query(lrs, verb=LAUNCHED)) == [str(a2)]
    assert ids(query(lrs, verb=COMPLETED)) == [str(b1), str(a1)]
    assert ids(query(lrs, activity=OTHER_COURSE)) == [str(b1)]
    assert ids(query(lrs, activity=COURSE)) == [str(a2), str(a1)]
    assert ids(query(lrs, registration=str(registration))) == [str(a2)]
    # since is after (exclusive), until up to (inclusive), on the stored time.
    assert ids(query(lrs, since="2026-04-01T09:00:00Z")) == [str(b1), str(a2)]
    assert ids(query(lrs, until="2026-04-02T09:00:00Z")) == [str(a2), str(a1)]
    assert ids(query(lrs, since="2026-04-01T12:00Z", until="2026-04-02T12:00+00:00")) == [str(a2)]
    assert ids(query(lrs, agent=json.dumps(ada), verb=COMPLETED)) == [str(a1)]


def test_the_agent_filter_hashes_like_storage(lrs, mapped):
    post(lrs, statement(actor={"mbox": "mailto:ada@example.com"}))
    sha1 = hashlib.sha1(b"mailto:ada@example.com").hexdigest()  # noqa: S324

    assert len(ids(query(lrs, agent=json.dumps({"mbox_sha1sum": sha1})))) == 1
    assert ids(query(lrs, agent=json.dumps({"mbox": "mailto:bo@example.com"}))) == []


def walk(client: Client, **params) -> list[str]:
    """Every id, page by page through `more`."""
    seen: list[str] = []
    result = query(client, **params)
    while True:
        seen += ids(result)
        if not result["more"]:
            return seen
        response = client.get(result["more"])
        assert response.status_code == 200
        result = response.json()


def test_paging_through_more_neither_repeats_nor_skips_under_writes(lrs, mapped):
    first = [
        statement(id=str(uuid.uuid4()), timestamp=f"2026-03-{d:02}T10:00Z") for d in range(1, 8)
    ]
    with time_machine.travel(datetime(2026, 4, 1, 9, tzinfo=UTC), tick=False):
        post(lrs, first)

    page = query(lrs, limit=3)
    assert len(page["statements"]) == 3
    assert page["more"].startswith("/xapi/statements?more=")
    # Written between two pages: newer than the cursor, so not on the later pages.
    with time_machine.travel(datetime(2026, 4, 2, 9, tzinfo=UTC), tick=False):
        post(lrs, statement(id=str(uuid.uuid4()), timestamp="2026-03-20T10:00Z"))
    seen = ids(page)
    result = page
    while result["more"]:
        result = lrs.get(result["more"]).json()
        seen += ids(result)

    assert sorted(seen) == sorted(s["id"] for s in first)
    assert len(seen) == len(set(seen))
    assert len(walk(lrs, limit=3)) == 8


def test_paging_ascending_keeps_the_filters(lrs, mapped):
    post(
        lrs,
        [statement(id=str(uuid.uuid4()), timestamp=f"2026-03-{d:02}T10:00Z") for d in range(1, 6)],
    )
    post(
        lrs,
        [statement(verb={"id": LAUNCHED}, timestamp=f"2026-03-{d:02}T11:00Z") for d in range(1, 4)],
    )

    ascending = walk(lrs, verb=LAUNCHED, limit=2, ascending="true")

    assert len(ascending) == 3
    assert ascending == list(
        XapiStatement.objects.filter(verb="launched")
        .order_by("stored", "pk")
        .values_list("statement__id", flat=True)
    )


def test_limits(lrs, mapped, settings):
    settings.XAPI_QUERY_LIMIT = 2
    settings.XAPI_QUERY_MAX = 4
    post(lrs, [statement(id=str(uuid.uuid4())) for _ in range(6)])

    assert len(query(lrs)["statements"]) == 2
    assert len(query(lrs, limit=3)["statements"]) == 3
    assert len(query(lrs, limit=100)["statements"]) == 4  # cut to the most
    assert len(query(lrs, limit=0)["statements"]) == 4  # 0: the most the LRS gives
    assert query(lrs, limit=6)["more"]
    assert len(walk(lrs, limit=0)) == 6


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "-1"},
        {"limit": "ten"},
        {"limit": "²"},  # a digit to str.isdigit, not to int()
        {"limit": "9" * 5000},
        {"since": "yesterday"},
        {"until": "2026-04-01T09:00:00"},  # no zone
        {"agent": "not json"},
        {"agent": json.dumps({"name": "Ada"})},  # no identifier
        {"agent": json.dumps(["mailto:ada@example.com"])},
        {"verb": "completed"},  # not an IRI
        {"activity": "course"},
        {"registration": "12"},
        {"ascending": "maybe"},
        {"format": "ids"},
        {"attachments": "true"},
        {"related_agents": "true"},
        {"related_activities": "true"},
        {"colour": "blue"},
        {"more": "forged"},
        {"statementId": str(uuid.UUID(int=1)), "verb": COMPLETED},
        {"statementId": str(uuid.UUID(int=1)), "voidedStatementId": str(uuid.UUID(int=2))},
        {"voidedStatementId": "12"},
        {"statementId": str(uuid.UUID(int=1)), "format": "canonical"},
        {"statementId": str(uuid.UUID(int=1)), "attachments": "true"},
    ],
    ids=lambda p: "&".join(p),
)
def test_bad_parameters_are_400_with_a_message(lrs, params):
    response = lrs.get(f"/xapi/statements?{urlencode(params)}")
    assert response.status_code == 400
    assert response.json()["detail"]
    assert response["X-Experience-API-Version"] == "1.0.3"


def test_a_tampered_more_link_is_400(lrs, mapped):
    post(lrs, [statement(id=str(uuid.uuid4())) for _ in range(3)])
    more = query(lrs, limit=1)["more"]
    assert lrs.get(more[:-2] + "xx").status_code == 400


# Tenancy and scopes ------------------------------------------------------------------------


def test_another_orgs_token_sees_nothing_and_cannot_use_a_more_link(lrs, mapped, other_org):
    post(lrs, [statement(id=str(uuid.uuid4())) for _ in range(3)])
    more = query(lrs, limit=1)["more"]
    theirs = Client(**V, **basic(token(other_org)))

    assert query(theirs) == {"statements": [], "more": ""}
    assert query(theirs, agent=json.dumps({"mbox": "mailto:ada@example.com"}))["statements"] == []
    assert theirs.get(more).status_code == 400


def test_a_read_token_may_query(org, lrs, mapped):
    post(lrs, statement())
    reader = Client(**V, **basic(token(org, ApiScope.READ)))

    assert len(query(reader)["statements"]) == 1


def test_queries_need_credentials():
    response = Client(**V).get("/xapi/statements")
    assert response.status_code == 401


# Query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 60])
def test_a_page_costs_the_same_queries_at_any_size(lrs, mapped, size, django_assert_num_queries):
    post(
        lrs,
        [
            statement(id=str(uuid.uuid4()), timestamp=f"2026-03-{1 + i % 28:02}T10:00Z")
            for i in range(size)
        ],
    )
    # Warm: the token's last-used time is written at most once a minute.
    query(lrs, limit=2)
    agent = json.dumps({"mbox": "mailto:ada@example.com"})

    with django_assert_num_queries(QUERIES_PLAIN):
        result = query(lrs, limit=50)
    with django_assert_num_queries(QUERIES_PLAIN):
        query(lrs, limit=50, verb=COMPLETED, activity=COURSE, since="2026-01-01T00:00Z")
    with django_assert_num_queries(QUERIES_PLAIN + 1):  # the salt, to hash the agent
        query(lrs, limit=50, agent=agent)
    if result["more"]:
        with django_assert_num_queries(QUERIES_PLAIN):
            lrs.get(result["more"])
    assert len(result["statements"]) == min(size, 50)


# The request's savepoint and its release, the token, and the page.
QUERIES_PLAIN = 4
