"""The xAPI statements resource: version header, Basic auth with API tokens, scopes,
tenancy, idempotent ids and 409 conflicts, all-or-nothing batches, pseudonymous actors,
activity mapping, and the learner events statements become."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime

import pytest
from django.test import Client

from measurement import xapi
from measurement.models import ActivityMapping, LearnerEvent, LearnerSalt, Program, XapiStatement
from roadmap_site.models import ApiScope, ApiToken
from tests.factories import InitiativeFactory, RoadmapFactory

pytestmark = pytest.mark.django_db

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
COURSE = "https://lms.example.com/courses/onboarding-101"
V = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
# Fixed, not random: parametrize ids must be the same on every xdist worker.
FIXED = uuid.UUID("6f1c1a8e-0000-4000-8000-000000000001")
OTHER = uuid.UUID("6f1c1a8e-0000-4000-8000-000000000002")


def basic(credentials: str) -> dict[str, str]:
    key, _, secret = credentials.partition(".")
    encoded = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {encoded}"}


def token(org, scope=ApiScope.WRITE) -> str:
    return ApiToken.issue(org=org, name="LMS", scope=scope, created_by=None)[1]


def statement(**changes) -> dict:
    body = {
        "actor": {"objectType": "Agent", "name": "Ada Lovelace", "mbox": "mailto:ada@example.com"},
        "verb": {"id": COMPLETED, "display": {"en-US": "completed"}},
        "object": {
            "id": COURSE,
            "definition": {"name": {"en-US": "Onboarding 101"}},
        },
        "timestamp": "2026-03-10T09:30:00Z",
    }
    body.update(changes)
    return body


@pytest.fixture
def lrs(org) -> Client:
    """A client that speaks xAPI with a write token of `org`."""
    return Client(headers={}, **{**V, **basic(token(org))})


def post(client: Client, body, **extra):
    return client.post(
        "/xapi/statements", json.dumps(body), content_type="application/json", **extra
    )


def put(client: Client, sid, body, **extra):
    return client.put(
        f"/xapi/statements?statementId={sid}",
        json.dumps(body),
        content_type="application/json",
        **extra,
    )


@pytest.fixture
def program(initiative) -> Program:
    return Program.objects.for_initiative(initiative)


@pytest.fixture
def mapped(org, program) -> ActivityMapping:
    return ActivityMapping.objects.create(org=org, activity_id=COURSE, program=program)


# The protocol ------------------------------------------------------------------------------


def test_about_says_the_version_without_auth(client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert response.json() == {"version": ["1.0.3"]}
    assert response["X-Experience-API-Version"] == "1.0.3"


@pytest.mark.parametrize("version", [None, "", "0.95", "2.0.0", "1.1"])
def test_the_version_header_is_required(org, version):
    headers = basic(token(org))
    if version is not None:
        headers["HTTP_X_EXPERIENCE_API_VERSION"] = version
    response = post(Client(**headers), statement())
    assert response.status_code == 400
    assert "X-Experience-API-Version" in response.json()["detail"]
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert not XapiStatement.objects.exists()


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic !!!notbase64",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic " + base64.b64encode(b"key:wrong").decode(),
        "Bearer whatever",
    ],
)
def test_without_valid_basic_credentials_it_is_401(authorization):
    headers = dict(V)
    if authorization:
        headers["HTTP_AUTHORIZATION"] = authorization
    response = post(Client(**headers), statement())
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="xapi"'
    assert not XapiStatement.objects.exists()


def test_a_revoked_token_is_401(org):
    credentials = token(org)
    ApiToken.objects.get().revoke()
    assert post(Client(**V, **basic(credentials)), statement()).status_code == 401


def test_a_read_token_may_read_but_not_store(org, lrs):
    sid = post(lrs, statement()).json()[0]
    reader = Client(**V, **basic(token(org, ApiScope.READ)))

    assert post(reader, statement(id=str(uuid.uuid4()))).status_code == 403
    assert put(reader, uuid.uuid4(), statement()).status_code == 403
    assert reader.get(f"/xapi/statements?statementId={sid}").status_code == 200
    assert XapiStatement.objects.count() == 1


def test_post_stores_and_get_reads_back_with_stored_and_authority(lrs, org):
    response = post(lrs, statement())

    assert response.status_code == 200
    assert response["X-Experience-API-Version"] == "1.0.3"
    (sid,) = response.json()
    uuid.UUID(sid)  # generated for a statement sent without an id
    got = lrs.get(f"/xapi/statements?statementId={sid}")
    assert got.status_code == 200
    assert "X-Experience-API-Consistent-Through" in got
    body = got.json()
    assert body["id"] == sid
    assert body["verb"]["id"] == COMPLETED
    assert body["object"]["id"] == COURSE
    assert body["timestamp"] == "2026-03-10T09:30:00Z"
    assert body["version"] == "1.0.0"
    assert datetime.fromisoformat(body["stored"]).tzinfo is not None
    assert body["authority"]["account"]["name"] == ApiToken.objects.get().key


def test_put_stores_under_the_given_id_with_204(lrs):
    sid = uuid.uuid4()
    response = put(lrs, sid, statement())

    assert response.status_code == 204
    assert XapiStatement.objects.get().statement_id == sid


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("", statement()),  # PUT without statementId
        ("?statementId=nope", statement()),
        (f"?statementId={FIXED}", statement(id=str(OTHER))),  # ids disagree
        (f"?statementId={FIXED}", [statement()]),  # PUT takes one
    ],
    ids=["no-statementId", "not-a-uuid", "ids-disagree", "an-array"],
)
def test_a_bad_put_is_400(lrs, query, body):
    response = lrs.put(
        f"/xapi/statements{query}", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not XapiStatement.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(statement(timestamp="0001-01-01T00:00:00+05:00")),  # cannot be made UTC
        json.dumps(statement(object={"id": COURSE, "definition": "x"})),
        "[" * 50_000,  # deeper than the JSON parser recurses
        '{"n": ' + "9" * 5_000 + "}",  # past Python's digit limit for int()
    ],
    ids=["year-1", "definition-not-an-object", "deep-nesting", "huge-number"],
)
def test_hostile_bodies_are_400_not_500(lrs, body):
    response = lrs.post("/xapi/statements", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not XapiStatement.objects.exists()


def test_get_an_unknown_or_missing_id(lrs):
    assert lrs.get(f"/xapi/statements?statementId={uuid.uuid4()}").status_code == 404
    assert lrs.get("/xapi/statements?statementId=12").status_code == 400


def test_other_methods_are_405(lrs):
    assert lrs.delete("/xapi/statements").status_code == 405


# Idempotency and conflicts -----------------------------------------------------------------


def test_the_same_statement_again_is_accepted_once(lrs, mapped):
    sid = str(uuid.uuid4())
    first = post(lrs, statement(id=sid))
    again = post(lrs, statement(id=sid))
    put_again = put(lrs, sid, statement(id=sid))

    assert first.json() == again.json() == [sid]
    assert put_again.status_code == 204
    assert XapiStatement.objects.count() == 1
    assert LearnerEvent.objects.count() == 1
    assert ActivityMapping.objects.get().statements == 1


def test_a_different_statement_under_a_stored_id_is_409(lrs):
    sid = str(uuid.uuid4())
    post(lrs, statement(id=sid))
    changed = statement(id=sid, verb={"id": "http://adlnet.gov/expapi/verbs/attempted"})

    assert post(lrs, changed).status_code == 409
    assert put(lrs, sid, changed).status_code == 409
    stored = XapiStatement.objects.get()
    assert stored.statement["verb"]["id"] == COMPLETED


def test_a_conflict_in_a_batch_stores_nothing_of_it(lrs):
    sid = str(uuid.uuid4())
    post(lrs, statement(id=sid))
    batch = [statement(id=str(uuid.uuid4())), statement(id=sid, timestamp="2026-03-11T00:00:00Z")]

    assert post(lrs, batch).status_code == 409
    assert XapiStatement.objects.count() == 1


# Validation: a bad statement rejects the batch ------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "not an object",
        statement(actor=None),
        statement(actor={"name": "Nobody"}),  # no identifier
        statement(actor={"mbox": "ada@example.com"}),  # not mailto:
        statement(actor={"mbox": "mailto:a@b.c", "openid": "https://id.example/a"}),  # two
        statement(actor={"account": {"homePage": "https://lms.example"}}),
        statement(verb={"display": {"en-US": "did"}}),
        statement(verb={"id": "completed"}),  # not an IRI
        statement(object={"objectType": "Agent", "mbox": "mailto:bob@example.com"}),
        statement(object={"definition": {}}),
        statement(timestamp="yesterday"),
        statement(timestamp="2026-03-10T09:30:00"),  # no zone
        statement(id="12"),
        statement(version="2.0.0"),
        statement(context="x"),
    ],
)
def test_a_bad_statement_in_a_batch_rejects_the_batch(lrs, mapped, bad):
    response = post(lrs, [statement(id=str(uuid.uuid4())), bad])

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Statement 1: ")
    assert not XapiStatement.objects.exists()
    assert not LearnerEvent.objects.exists()
    assert ActivityMapping.objects.get().statements == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("{not json", "application/json"), ("[]", "application/json"), ("{}", "text/plain")],
)
def test_a_body_that_is_not_statements_is_400(lrs, body, content_type):
    response = lrs.post("/xapi/statements", body, content_type=content_type)
    assert response.status_code == 400
    assert not XapiStatement.objects.exists()


def test_two_different_statements_under_one_id_in_a_batch_are_400(lrs):
    sid = str(uuid.uuid4())
    response = post(lrs, [statement(id=sid), statement(id=sid, timestamp="2026-03-11T00:00:00Z")])
    assert response.status_code == 400
    assert not XapiStatement.objects.exists()


# Pseudonymous learners ------------------------------------------------------------------------


def test_the_actor_is_never_stored_raw(lrs, org, mapped):
    body = statement(
        context={"instructor": {"mbox": "mailto:grace@example.com", "name": "Grace Hopper"}}
    )
    sid = post(lrs, body).json()[0]

    row = XapiStatement.objects.get()
    text = json.dumps(row.statement)
    for raw in ("ada@example.com", "Ada Lovelace", "grace@example.com", "Grace Hopper"):
        assert raw not in text
    salt = LearnerSalt.objects.get(org=org).salt.encode()
    sha1 = hashlib.sha1(b"mailto:ada@example.com").hexdigest()  # noqa: S324
    expected = hmac.new(salt, f"mbox_sha1sum:{sha1}".encode(), hashlib.sha256).hexdigest()
    assert row.learner_key == expected
    assert row.statement["actor"]["account"]["name"] == expected
    assert LearnerEvent.objects.get().learner_key == expected
    assert lrs.get(f"/xapi/statements?statementId={sid}").json()["actor"] == row.statement["actor"]


def test_one_learner_one_key_by_mbox_or_its_sha1_and_another_org_gets_another(lrs, org, other_org):
    sha1 = hashlib.sha1(b"mailto:ada@example.com").hexdigest()  # noqa: S324
    post(
        lrs,
        [statement(), statement(actor={"mbox_sha1sum": sha1}, timestamp="2026-03-11T00:00:00Z")],
    )
    other = Client(**V, **basic(token(other_org)))
    post(other, statement())

    ours = set(XapiStatement.objects.filter(org=org).values_list("learner_key", flat=True))
    theirs = set(XapiStatement.objects.filter(org=other_org).values_list("learner_key", flat=True))
    assert len(ours) == 1
    assert len(theirs) == 1
    assert ours != theirs


# Activities and programs ----------------------------------------------------------------------


def test_a_mapped_activity_becomes_a_learner_event(lrs, program, mapped):
    sid = post(lrs, statement()).json()[0]

    event = LearnerEvent.objects.get()
    assert event.program == program
    assert event.event_type == "completed"
    assert event.occurred_at == datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    assert str(event.statement_id) == sid
    assert program.months.get().active_learners == 1


def test_without_a_timestamp_the_stored_time_is_when(lrs, mapped):
    body = statement()
    del body["timestamp"]
    post(lrs, body)
    assert LearnerEvent.objects.get().occurred_at == XapiStatement.objects.get().stored


def test_an_unknown_activity_is_listed_with_a_count_and_no_event(lrs, org):
    post(lrs, [statement(), statement(timestamp="2026-03-11T00:00:00Z")])

    activity = ActivityMapping.objects.get()
    assert (activity.org, activity.activity_id, activity.program) == (org, COURSE, None)
    assert activity.statements == 2
    assert activity.name == "Onboarding 101"
    assert not LearnerEvent.objects.exists()


def test_mapping_counts_stored_and_later_statements(lrs, program):
    post(lrs, statement())
    activity = ActivityMapping.objects.get()

    assert xapi.map_activity(activity=activity, program=program) == 1
    post(lrs, statement(timestamp="2026-03-12T00:00:00Z", actor={"mbox": "mailto:bo@example.com"}))

    assert LearnerEvent.objects.filter(program=program).count() == 2
    assert program.months.get().active_learners == 2
    assert ActivityMapping.objects.get().statements == 2


def test_tenancy_one_orgs_statements_are_not_anothers(lrs, other_org, org):
    sid = post(lrs, statement()).json()[0]
    other = Client(**V, **basic(token(other_org)))

    assert other.get(f"/xapi/statements?statementId={sid}").status_code == 404
    # The same id in another organisation is its own statement, not a conflict.
    changed = statement(id=sid, verb={"id": "http://adlnet.gov/expapi/verbs/attempted"})
    assert post(other, changed).status_code == 200
    assert XapiStatement.objects.filter(org=other_org).count() == 1
    # An activity mapped in one organisation does not count another's statements.
    theirs = Program.objects.for_initiative(
        InitiativeFactory(roadmap=RoadmapFactory(org=other_org))
    )
    ActivityMapping.objects.filter(org=other_org).update(program=theirs)
    post(lrs, statement(timestamp="2026-03-20T00:00:00Z"))
    assert not LearnerEvent.objects.filter(org=org).exists()


def test_a_batch_is_counted_in_a_fixed_number_of_queries(lrs, mapped, django_assert_num_queries):
    def batch(n: int, day: int) -> list[dict]:
        return [
            statement(
                actor={"mbox": f"mailto:l{i}@example.com"}, timestamp=f"2026-03-{day:02}T10:00:00Z"
            )
            for i in range(n)
        ]

    post(lrs, batch(1, 1))  # the salt and the activity exist from here on
    # Token, salt, stored ids, activities, their counts, the statements, then
    # record_events (program lock, insert, recount, version), then voiding statements
    # already waiting for these: as many for 40 as for 2.
    with django_assert_num_queries(22):
        post(lrs, batch(2, 2))
    with django_assert_num_queries(22):
        post(lrs, batch(40, 3))
    assert LearnerEvent.objects.count() == 43


def test_a_nul_character_is_400_not_a_database_error(lrs):
    response = post(lrs, statement(object={"id": "https://lms.example.com/a\u0000b"}))
    assert response.status_code == 400
    assert not XapiStatement.objects.exists()


def test_a_body_beyond_the_upload_limit_is_413_json(lrs, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(lrs, [statement()] * 10)

    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert not XapiStatement.objects.exists()


def test_more_than_a_thousand_statements_are_400(lrs):
    response = post(lrs, [statement()] * 1001)
    assert response.status_code == 400
    assert "at most 1,000" in response.json()["detail"]
    assert not XapiStatement.objects.exists()
