from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from strategy.models import ListeningSession
from tests.factories import ListeningSessionFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hrbp(org):
    return PersonFactory(org=org, name="Lars Nilsson", department="Engineering")


def _post(person, **overrides):
    data = {
        "held_on": "2026-10-01",
        "person": person.pk,
        "department": "",
        "struggling": "New managers struggle with feedback conversations.",
        "evidence": "Engagement survey, manager support 3.1/5.",
        "notes": "",
    }
    return {**data, **overrides}


def test_editor_adds_notes_and_department_defaults_to_the_persons(editor_client, hrbp, org):
    response = editor_client.post(reverse("strategy:listening_list"), _post(hrbp))
    assert response.status_code == 302
    session = ListeningSession.objects.get(org=org)
    assert session.department == "Engineering" and session.held_on == date(2026, 10, 1)
    page = editor_client.get(reverse("strategy:listening_list"))
    assert b"New managers struggle with feedback conversations." in page.content


def test_missing_struggle_is_refused(editor_client, hrbp):
    response = editor_client.post(reverse("strategy:listening_list"), _post(hrbp, struggling=""))
    assert response.status_code == 400
    assert not ListeningSession.objects.exists()


def test_person_from_another_org_is_refused(editor_client, other_org):
    stranger = PersonFactory(org=other_org)
    response = editor_client.post(reverse("strategy:listening_list"), _post(stranger))
    assert response.status_code == 400
    assert not ListeningSession.objects.exists()


def test_editor_edits_notes(editor_client, org, hrbp):
    session = ListeningSessionFactory(org=org, person=hrbp)
    url = reverse("strategy:listening_edit", args=[session.pk])
    assert editor_client.get(url).status_code == 200
    response = editor_client.post(url, _post(hrbp, notes="Follow up in January"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.notes == "Follow up in January"


def test_viewer_reads_but_cannot_write(viewer_client, org, hrbp):
    session = ListeningSessionFactory(org=org, person=hrbp, notes="Original")
    page = viewer_client.get(reverse("strategy:listening_list"))
    assert page.status_code == 200 and b"Original" in page.content
    assert b"Save notes" not in page.content
    assert viewer_client.post(reverse("strategy:listening_list"), _post(hrbp)).status_code == 403
    url = reverse("strategy:listening_edit", args=[session.pk])
    assert viewer_client.post(url, _post(hrbp, notes="Changed")).status_code == 403
    session.refresh_from_db()
    assert session.notes == "Original" and ListeningSession.objects.count() == 1


def test_outsider_gets_404_and_sees_nothing(outsider_client, org, hrbp):
    session = ListeningSessionFactory(org=org, person=hrbp, notes="Secret notes")
    url = reverse("strategy:listening_edit", args=[session.pk])
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, _post(hrbp, notes="Changed")).status_code == 404
    page = outsider_client.get(reverse("strategy:listening_list"))
    assert b"Secret notes" not in page.content
    session.refresh_from_db()
    assert session.notes == "Secret notes"


def test_list_query_count_does_not_grow(editor_client, org, django_assert_num_queries):
    for _ in range(2):
        ListeningSessionFactory(org=org)
    url = reverse("strategy:listening_list")
    editor_client.get(url)
    with django_assert_num_queries(7) as small:
        editor_client.get(url)
    for _ in range(10):
        ListeningSessionFactory(org=org)
    with django_assert_num_queries(len(small.captured_queries)):
        editor_client.get(url)
