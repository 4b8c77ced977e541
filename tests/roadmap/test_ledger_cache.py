"""The commitment ledger (Align page) is rendered once per roadmap and organisation version:
a second view reads none of it, and every write it shows is on the next view."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.urls import reverse

from roadmap.models import InitiativeStatus
from tests.factories import PriorityFactory, StrategyFactory, TrainingRequestFactory
from tests.roadmap.test_align_commitments import edit_data

pytestmark = pytest.mark.django_db


def align_url(roadmap) -> str:
    return reverse("roadmap:roadmap_align", args=[roadmap.pk])


@pytest.fixture
def committed(initiative):
    initiative.status = InitiativeStatus.COMMITTED
    initiative.save()
    return initiative


def test_a_second_view_reads_nothing_of_the_ledger(
    editor_client, roadmap, committed, django_assert_num_queries
):
    first = editor_client.get(align_url(roadmap))
    # Session, user, memberships (with the header's others), roadmap with its organisation,
    # the not-doing form's cycles, savepoint pair: no initiative, request or
    # not-doing row.
    with django_assert_num_queries(7):
        second = editor_client.get(align_url(roadmap))
    assert "Manager onboarding toolkit" in second.text
    assert first.text.count("Manager onboarding toolkit") == second.text.count(
        "Manager onboarding toolkit"
    )


def test_roles_share_the_ledger_but_only_writers_get_the_form(
    editor_client, viewer_client, outsider_client, roadmap, committed
):
    editor = editor_client.get(align_url(roadmap)).text
    viewer = viewer_client.get(align_url(roadmap)).text
    assert "Manager onboarding toolkit" in editor and "Manager onboarding toolkit" in viewer
    assert 'id="drop-h"' in editor and 'id="drop-h"' not in viewer
    assert outsider_client.get(align_url(roadmap)).status_code == 404


def test_an_edited_initiative_shows_on_the_next_view(editor_client, roadmap, committed):
    editor_client.get(align_url(roadmap))
    edit = reverse("roadmap:initiative_edit", args=[committed.pk])
    editor_client.post(edit, edit_data(committed, title="Manager toolkit, renamed"))
    assert "Manager toolkit, renamed" in editor_client.get(align_url(roadmap)).text


def test_an_option_dropped_shows_and_a_refused_one_keeps_the_ledger(
    editor_client, roadmap, committed
):
    editor_client.get(align_url(roadmap))
    cycle = roadmap.cycles.order_by("start").first()
    url = reverse("roadmap:not_doing_create", args=[roadmap.pk])
    data = {"cycle": cycle.pk, "title": "A mentoring app", "reason": "Tools first."}
    assert editor_client.post(url, data).status_code == 302
    assert "A mentoring app" in editor_client.get(align_url(roadmap)).text

    again = editor_client.post(url, data)  # the same title twice in a cycle: refused
    assert again.status_code == 400
    assert "Manager onboarding toolkit" in again.text  # the ledger is still on the page


def test_a_request_declined_during_a_cycle_shows_on_the_next_view(
    editor_client, editor_membership, org, roadmap, committed
):
    cycle = roadmap.cycles.order_by("start").first()
    item = TrainingRequestFactory(org=org, title="Excel for everyone")
    with time_machine.travel(datetime.combine(cycle.start, time(12), tzinfo=UTC)):
        editor_client.force_login(editor_membership.user)  # a session of that day
        assert "Excel for everyone" not in editor_client.get(align_url(roadmap)).text
        decline = reverse("roadmap:request_decide", args=[item.pk, "decline"])
        editor_client.post(decline, {"reason": "Not a priority this year."})
        assert "Not a priority this year." in editor_client.get(align_url(roadmap)).text


def test_a_renamed_person_and_priority_show_on_the_next_view(
    editor_client, admin_client, org, roadmap, committed, person
):
    priority = PriorityFactory(strategy=StrategyFactory(org=org), capability="Faster ramp-up")
    committed.priority = priority
    committed.save()
    committed.roadmap.touch()
    assert "Faster ramp-up" in editor_client.get(align_url(roadmap)).text

    data = {"name": "Priya Raman-Okafor", "email": "", "title": "", "department": ""}
    admin_client.post(reverse("person_edit", args=[person.pk]), data)
    data = {
        "capability": "Ramp up in 60 days",
        "problem": priority.problem,
        "business_owner": priority.business_owner_id,
        "kpi": "",
    }
    assert editor_client.post(reverse("strategy:priority_edit", args=[priority.pk]), data)
    page = editor_client.get(align_url(roadmap)).text
    assert "Priya Raman-Okafor" in page
    assert "Ramp up in 60 days" in page and "Faster ramp-up" not in page


def test_a_rename_renders_again_only_the_cycle_it_is_in(
    editor_client, roadmap, committed, editor_membership, monkeypatch
):
    """Each cycle's section is cached under a digest of what it shows: after a rename the
    other cycles are read back, and the renamed one shows the new title."""
    from roadmap.views import align as align_views
    from tests.factories import InitiativeFactory

    first, second = roadmap.cycles.order_by("start")[:2]
    committed.change(by=editor_membership.user, cycle=first, justification="Planned.")
    InitiativeFactory(
        roadmap=roadmap, cycle=second, status=InitiativeStatus.COMMITTED, title="Coaching lab"
    )
    rendered: list[int] = []
    real = align_views.render_to_string

    def spy(name, context, **kwargs):
        rendered.append(context["entry"]["cycle"].pk)
        return real(name, context, **kwargs)

    monkeypatch.setattr(align_views, "render_to_string", spy)
    page = editor_client.get(align_url(roadmap)).text
    assert "Coaching lab" in page and "Manager onboarding toolkit" in page
    assert {first.pk, second.pk} <= set(rendered)

    rendered.clear()
    committed.change(by=editor_membership.user, title="Manager toolkit, renamed")
    page = editor_client.get(align_url(roadmap)).text
    assert "Manager toolkit, renamed" in page and "Manager onboarding toolkit" not in page
    assert "Coaching lab" in page
    assert rendered == [first.pk]


def test_edited_resources_tradeoffs_and_kpi_show_on_the_next_view(
    editor_client, viewer_client, org, roadmap, committed
):
    """The ledger reads only the columns it prints (and the names as annotations), and each
    cycle is cached under a digest of them: each edited alone is on the next view, for
    another role too."""
    from tests.factories import KpiFactory

    kpi = KpiFactory(org=org, name="Time to competence")
    edit = reverse("roadmap:initiative_edit", args=[committed.pk])
    data = edit_data(committed, justification="The rollout needs more hands.")
    for change, shown in [
        ({"people": 7}, "7 people"),
        ({"tradeoffs": "Pauses the LMS migration."}, "Pauses the LMS migration."),
        ({"kpi": kpi.pk}, "KPI: Time to competence"),
    ]:
        for client in (editor_client, viewer_client):
            assert shown not in client.get(align_url(roadmap)).text
        data.update(change)
        reply = editor_client.post(edit, data)
        assert reply.status_code == 302, reply.context["form"].errors
        for client in (editor_client, viewer_client):
            assert shown in client.get(align_url(roadmap)).text
