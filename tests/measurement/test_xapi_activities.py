"""The admin page where activity ids platforms sent are mapped to programs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from measurement import xapi
from measurement.engagement import record_events
from measurement.models import ActivityMapping, LearnerEvent, Program, XapiStatement
from tests.factories import InitiativeFactory, RoadmapFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("measurement:xapi_activities")


@pytest.fixture
def program(initiative) -> Program:
    return Program.objects.for_initiative(initiative)


def an_activity(org, n: int = 0, **fields) -> ActivityMapping:
    return ActivityMapping.objects.create(
        org=org, activity_id=f"https://lms.example.com/a/{n}", statements=3, **fields
    )


def stored(activity: ActivityMapping, key: str, day: int) -> XapiStatement:
    return XapiStatement.objects.create(
        org=activity.org,
        statement_id=uuid.uuid4(),
        statement={"id": "x"},
        activity=activity,
        learner_key=key,
        verb="completed",
        occurred_at=datetime(2026, 2, day, 10, tzinfo=UTC),
    )


def map_url(activity: ActivityMapping) -> str:
    return reverse("measurement:xapi_activity_map", args=[activity.pk])


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
def test_members_see_the_activities_unmapped_first(client_for, org, program, role):
    mapped = an_activity(org, 1, name="Mapped course", program=program)
    unmapped = an_activity(org, 2, name="Mystery module")
    response = client_for(role).get(PAGE)

    assert response.status_code == 200
    text = response.content.decode()
    assert text.index("Mystery module") < text.index("Mapped course")
    assert "1 not mapped" in text
    # Only admins get the picker.
    assert (f'action="{map_url(unmapped)}"' in text) is (role == "admin")
    assert mapped.activity_id in text


def test_an_outsider_sees_none_of_it(outsider_client, org, program):
    activity = an_activity(org, name="Mystery module")
    response = outsider_client.get(PAGE)

    assert response.status_code == 200
    assert "Mystery module" not in response.content.decode()
    assert outsider_client.post(map_url(activity), {}).status_code == 404


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_admins_map(client_for, org, program, role):
    activity = an_activity(org)
    response = client_for(role).post(
        map_url(activity), {f"activity-{activity.pk}-program": program.pk}
    )

    assert response.status_code == 403
    assert ActivityMapping.objects.get().program is None


def test_mapping_counts_the_stored_statements(admin_client, org, program):
    activity = an_activity(org)
    stored(activity, "k1", 3)
    stored(activity, "k2", 4)

    response = admin_client.post(
        map_url(activity), {f"activity-{activity.pk}-program": program.pk}, follow=True
    )

    assert response.status_code == 200
    assert "2 learner events" in response.content.decode()
    assert ActivityMapping.objects.get().program == program
    assert program.months.get().active_learners == 2
    # Mapping again writes nothing new; unmapping keeps the events already counted.
    admin_client.post(map_url(activity), {f"activity-{activity.pk}-program": program.pk})
    admin_client.post(map_url(activity), {f"activity-{activity.pk}-program": ""})
    assert ActivityMapping.objects.get().program is None
    assert LearnerEvent.objects.count() == 2


@pytest.mark.parametrize("value", ["999999", "abc", "-1"])
def test_a_program_not_offered_is_400_and_changes_nothing(admin_client, org, program, value):
    activity = an_activity(org)
    response = admin_client.post(map_url(activity), {f"activity-{activity.pk}-program": value})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert ActivityMapping.objects.get().program is None


def test_another_orgs_program_is_refused(admin_client, org, other_org):
    theirs = Program.objects.for_initiative(
        InitiativeFactory(roadmap=RoadmapFactory(org=other_org))
    )
    activity = an_activity(org)
    response = admin_client.post(map_url(activity), {f"activity-{activity.pk}-program": theirs.pk})

    assert response.status_code == 400
    assert ActivityMapping.objects.get().program is None


def test_the_page_reads_in_a_fixed_number_of_queries(
    admin_client, org, program, django_assert_num_queries
):
    an_activity(org, 0, program=program)
    admin_client.get(PAGE)  # warm the session
    with django_assert_num_queries(7) as few:
        admin_client.get(PAGE)
    for n in range(1, 30):
        an_activity(org, n, program=program if n % 2 else None)
    Program.objects.for_initiative(InitiativeFactory(roadmap=program.initiative.roadmap))
    with django_assert_num_queries(len(few.captured_queries)):
        admin_client.get(PAGE)


def test_record_events_is_what_mapping_calls(org, program):
    """Mapped statements become the same rows a form's event does (a repeat is a duplicate)."""
    activity = an_activity(org)
    row = stored(activity, "k1", 3)
    xapi.map_activity(activity=activity, program=program)
    again = record_events(
        program=program,
        events=[{"learner_key": "k1", "event_type": "completed", "occurred_at": row.occurred_at}],
    )
    assert again.duplicates == 1
    assert LearnerEvent.objects.get().statement_id == row.statement_id
