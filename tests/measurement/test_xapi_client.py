"""A real xAPI client (Rustici's TinCanPython) against the running site: the statements
resource must be one an off-the-shelf learning-platform library can talk to."""

from __future__ import annotations

import uuid

import pytest
from tincan import (
    Activity,
    ActivityDefinition,
    Agent,
    LanguageMap,
    RemoteLRS,
    Statement,
    StatementRef,
    Verb,
)

from measurement.models import ActivityMapping, LearnerEvent, Program, ProgramMonth, XapiStatement
from roadmap_site.models import ApiScope, ApiToken

pytestmark = pytest.mark.django_db(transaction=True)

COURSE = "https://lms.example.com/courses/safety-basics"
COMPLETED_VERB = Verb(id="http://adlnet.gov/expapi/verbs/completed")


@pytest.fixture
def remote(live_server, org) -> RemoteLRS:
    credentials = ApiToken.issue(org=org, name="LMS", scope=ApiScope.WRITE, created_by=None)[1]
    key, _, secret = credentials.partition(".")
    return RemoteLRS(
        endpoint=f"{live_server.url}/xapi/", version="1.0.3", username=key, password=secret
    )


def a_statement(email: str, statement_id: uuid.UUID | None = None) -> Statement:
    return Statement(
        id=statement_id,
        actor=Agent(name="Ada Lovelace", mbox=f"mailto:{email}"),
        verb=Verb(
            id="http://adlnet.gov/expapi/verbs/completed",
            display=LanguageMap({"en-US": "completed"}),
        ),
        object=Activity(
            id=COURSE,
            definition=ActivityDefinition(name=LanguageMap({"en-US": "Safety basics"})),
        ),
        timestamp="2026-04-02T08:15:00+00:00",
    )


def test_tincan_stores_a_statement_and_reads_it_back(remote, org, initiative):
    program = Program.objects.for_initiative(initiative)
    ActivityMapping.objects.create(org=org, activity_id=COURSE, program=program)
    sid = uuid.uuid4()

    about = remote.about()
    saved = remote.save_statement(a_statement("ada@example.com", sid))  # a PUT
    got = remote.retrieve_statement(str(sid))

    assert about.success, about.data
    assert "1.0.3" in about.content.version
    assert saved.success, saved.data
    assert got.success, got.data
    assert str(got.content.id) == str(sid)
    assert got.content.verb.id == "http://adlnet.gov/expapi/verbs/completed"
    assert got.content.object.id == COURSE
    assert got.content.stored is not None
    assert got.content.authority is not None
    # What came back is the pseudonymous learner, not the address that was sent.
    assert got.content.actor.mbox is None
    assert got.content.actor.account.name == XapiStatement.objects.get().learner_key
    assert LearnerEvent.objects.get(program=program).statement_id == sid


def test_tincan_posts_a_batch_and_gets_the_ids(remote):
    batch = [a_statement("ada@example.com"), a_statement("bo@example.com")]

    saved = remote.save_statements(batch)

    assert saved.success, saved.data
    ids = {str(s.id) for s in saved.content}
    assert len(ids) == 2
    assert ids == {str(i) for i in XapiStatement.objects.values_list("statement_id", flat=True)}
    assert ActivityMapping.objects.get().statements == 2


def test_tincan_sees_a_conflict_as_a_failure(remote):
    sid = uuid.uuid4()
    assert remote.save_statement(a_statement("ada@example.com", sid)).success
    refused = remote.save_statement(a_statement("someone-else@example.com", sid))

    assert not refused.success
    assert refused.response.status == 409


def test_tincan_queries_pages_and_voids(remote, org, initiative):
    program = Program.objects.for_initiative(initiative)
    ActivityMapping.objects.create(org=org, activity_id=COURSE, program=program)
    batch = [a_statement(f"learner{i}@example.com", uuid.uuid4()) for i in range(3)]
    assert remote.save_statements(batch).success
    target = str(batch[0].id)

    first = remote.query_statements(
        {"agent": Agent(mbox="mailto:learner0@example.com"), "verb": COMPLETED_VERB}
    )
    page = remote.query_statements({"activity": Activity(id=COURSE), "limit": 2})
    rest = remote.more_statements(page.content)
    voided = remote.save_statement(
        Statement(
            actor=Agent(mbox="mailto:admin@example.com"),
            verb=Verb(id="http://adlnet.gov/expapi/verbs/voided"),
            object=StatementRef(id=target),
        )
    )
    after = remote.query_statements({"activity": Activity(id=COURSE)})

    assert first.success, first.data
    assert [str(s.id) for s in first.content.statements] == [target]
    assert page.success and rest.success, (page.data, rest.data)
    paged = [str(s.id) for s in page.content.statements + rest.content.statements]
    assert sorted(paged) == sorted(str(s.id) for s in batch)
    assert voided.success, voided.data
    assert target not in [str(s.id) for s in after.content.statements]
    assert not remote.retrieve_statement(target).success
    assert str(remote.retrieve_voided_statement(target).content.id) == target
    assert not LearnerEvent.objects.filter(statement_id=target).exists()
    assert ProgramMonth.objects.get(program=program).active_learners == 2
