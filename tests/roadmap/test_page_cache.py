"""Cached pages and on-demand stages: the timeline opens an initiative's stages on demand,
and every write of what a cached page shows makes the next view show it (no stale page).

The cache is the test settings' locmem cache, emptied before each test (tests/conftest.py).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from roadmap import plan_data
from roadmap.models import (
    BusinessEvent,
    EventKind,
    InitiativeDependency,
    InitiativeStatus,
    ShareLink,
    Stage,
    TrainingRequest,
)
from roadmap_site.cache import bump_org
from tests.conftest import HTMX
from tests.factories import InitiativeFactory, PersonFactory, StageFactory
from tests.roadmap.test_align_commitments import edit_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def big(roadmap, initiative, person, monkeypatch):
    """A timeline over the size that shows every stage: two initiatives of two stages."""
    monkeypatch.setattr(plan_data, "EXPAND_ALL_UP_TO", 3)
    other = InitiativeFactory(roadmap=roadmap, title="Sales academy", cycle=roadmap.cycles.first())
    stages = [
        StageFactory(initiative=initiative, kind="needs_analysis", assignee=person),
        StageFactory(
            initiative=initiative, kind="delivery", start=date(2027, 3, 15), end=date(2027, 3, 19)
        ),
        StageFactory(
            initiative=other, kind="evaluation", start=date(2027, 5, 3), end=date(2027, 5, 7)
        ),
        StageFactory(
            initiative=other, kind="reinforcement", start=date(2027, 6, 1), end=date(2027, 6, 4)
        ),
    ]
    return {"roadmap": roadmap, "initiative": initiative, "other": other, "stages": stages}


def timeline_url(roadmap) -> str:
    return reverse("roadmap:roadmap_timeline", args=[roadmap.pk])


def labels(response) -> list[str]:
    return [row.label for row in response.context["rows"]]


def bar_rows(figure: dict) -> int:
    return sum(len(trace["y"]) for trace in figure["data"] if trace["type"] == "bar")


# On demand --------------------------------------------------------------------------------


def test_a_big_timeline_shows_initiatives_each_with_a_link_to_open_it(editor_client, big):
    response = editor_client.get(timeline_url(big["roadmap"]))
    assert labels(response) == ["Manager onboarding toolkit", "Sales academy"]
    assert bar_rows(response.context["figure"]) == 2
    html = response.content.decode()
    link = f'href="{timeline_url(big["roadmap"])}?open={big["initiative"].pk}"'
    assert link in html
    assert 'aria-expanded="false">Show 2 stages' in html


def test_opening_an_initiative_shows_its_stages_in_the_chart_and_the_table(editor_client, big):
    url = timeline_url(big["roadmap"])
    response = editor_client.get(url, {"open": big["initiative"].pk})
    assert labels(response) == [
        "Manager onboarding toolkit",
        "Needs analysis",
        "Delivery (launch)",
        "Sales academy",
    ]
    assert bar_rows(response.context["figure"]) == 4
    html = response.content.decode()
    assert '<details class="chart-table" open>' in html  # the table the link was in stays open
    assert 'aria-expanded="true">Hide 2 stages' in html
    # Its link closes it again ("open=" with nothing: nothing open, not the default).
    assert f'href="{url}?open="' in html
    assert labels(editor_client.get(url, {"open": ""})) == [
        "Manager onboarding toolkit",
        "Sales academy",
    ]


def test_the_htmx_answer_is_the_timeline_fragment(editor_client, big):
    response = editor_client.get(timeline_url(big["roadmap"]), {"open": big["other"].pk}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('\n<section class="card" id="timeline"') or 'id="timeline"' in html[:80]
    assert "<html" not in html
    assert "Reinforcement" in html and "Needs analysis" not in html


def test_a_small_timeline_shows_every_stage(editor_client, roadmap, initiative):
    StageFactory(initiative=initiative, kind="delivery")
    response = editor_client.get(timeline_url(roadmap))
    assert labels(response) == ["Manager onboarding toolkit", "Delivery (launch)"]


@pytest.mark.parametrize("bad", ["x", "-1", "99999999999"])
def test_a_bad_open_value_is_ignored_not_an_error(editor_client, big, bad):
    response = editor_client.get(timeline_url(big["roadmap"]), {"open": bad})
    assert response.status_code == 200
    assert labels(response) == ["Manager onboarding toolkit", "Sales academy"]


def test_another_organisations_initiative_does_not_open(editor_client, big, other_org):
    foreign = StageFactory(
        initiative=InitiativeFactory(org=other_org, roadmap__org=other_org, title="Secret")
    ).initiative
    response = editor_client.get(timeline_url(big["roadmap"]), {"open": foreign.pk})
    assert "Secret" not in response.content.decode()
    assert labels(response) == ["Manager onboarding toolkit", "Sales academy"]


@pytest.mark.parametrize("htmx", [False, True])
def test_roles_on_the_timeline_and_its_fragment(viewer_client, outsider_client, big, htmx):
    extra = HTMX if htmx else {}
    query = {"open": big["initiative"].pk}
    url = timeline_url(big["roadmap"])
    assert viewer_client.get(url, query, **extra).status_code == 200
    assert outsider_client.get(url, query, **extra).status_code == 404


# Cached, and never stale ------------------------------------------------------------------


def test_a_second_view_reads_nothing_of_the_plan(editor_client, big, django_assert_num_queries):
    url = timeline_url(big["roadmap"])
    editor_client.get(url)
    # Session, user, membership, roadmap (+org), other memberships, the filter's two choice
    # lists, SAVEPOINT/RELEASE: not one of the loader's 7 queries.
    with django_assert_num_queries(8):
        response = editor_client.get(url)
    assert "Manager onboarding toolkit" in response.content.decode()


def seen(client, roadmap, **query) -> str:
    """The timeline section as the next view shows it (the fragment: no flash messages)."""
    return client.get(timeline_url(roadmap), query, **HTMX).content.decode()


def test_editing_a_stage_shows_on_the_next_view(editor_client, big):
    stage = big["stages"][0]
    query = {"open": big["initiative"].pk}
    assert "28 Feb 2027" not in seen(editor_client, big["roadmap"], **query)
    data = {
        "kind": "needs_analysis", "start": "2027-02-28", "end": "2027-03-02",
        "effort_days": "2", "assignee": "", "status": "done", "good_enough": "",
    }  # fmt: skip
    assert (
        editor_client.post(reverse("roadmap:stage_edit", args=[stage.pk]), data).status_code == 302
    )
    assert "28 Feb 2027" in seen(editor_client, big["roadmap"], **query)


def test_adding_moving_and_removing_a_stage_show_on_the_next_view(editor_client, big):
    roadmap, initiative = big["roadmap"], big["initiative"]
    query = {"open": initiative.pk}
    seen(editor_client, roadmap, **query)
    data = {
        "kind": "evaluation", "start": "2027-04-05", "end": "2027-04-09",
        "effort_days": "1", "assignee": "", "status": "not_started", "good_enough": "",
    }  # fmt: skip
    editor_client.post(reverse("roadmap:stage_create", args=[initiative.pk]), data)
    assert "Evaluation" in seen(editor_client, roadmap, **query)

    first = big["stages"][0]
    editor_client.post(reverse("roadmap:stage_move", args=[first.pk]), {"direction": "down"})
    html = seen(editor_client, roadmap, **query)
    assert html.index('indent">Delivery (launch)') < html.index('indent">Needs analysis')

    editor_client.post(reverse("roadmap:stage_delete", args=[first.pk]))
    assert not Stage.objects.filter(pk=first.pk).exists()
    assert "Needs analysis" not in seen(editor_client, roadmap, **query)


def test_editing_an_initiative_shows_on_the_next_view(editor_client, big):
    initiative = big["initiative"]
    seen(editor_client, big["roadmap"])
    url = reverse("roadmap:initiative_edit", args=[initiative.pk])
    editor_client.post(url, edit_data(initiative, title="Manager toolkit, renamed"))
    assert "Manager toolkit, renamed" in seen(editor_client, big["roadmap"])


def test_moving_an_initiative_shows_on_the_next_view(editor_client, big):
    roadmap, other = big["roadmap"], big["other"]
    big["initiative"].cycle = other.cycle
    big["initiative"].save()
    html = seen(editor_client, roadmap)
    toolkit, academy = '<th scope="row">Manager onboarding toolkit', '<th scope="row">Sales academy'
    assert html.index(toolkit) < html.index(academy)
    url = reverse("roadmap:initiative_move", args=[other.pk])
    assert editor_client.post(url, {"direction": "up"}).status_code == 302
    html = seen(editor_client, roadmap)
    assert html.index(academy) < html.index(toolkit)


def test_a_dependency_added_and_removed_shows_on_the_next_view(editor_client, big):
    roadmap, initiative, other = big["roadmap"], big["initiative"], big["other"]

    def arrows() -> int:
        figure = editor_client.get(timeline_url(roadmap)).context
        figure = figure["figure"] if figure and "figure" in figure else None
        assert figure is not None, "served from the cache although a dependency changed"
        return sum(len(t["x"]) // 3 for t in figure["data"] if t["type"] == "scatter")

    assert arrows() == 0
    url = reverse("roadmap:dependency_add", args=[other.pk])
    editor_client.post(url, {"kind": "initiative", "predecessor": initiative.pk})
    assert arrows() == 1
    dependency = InitiativeDependency.objects.get()
    editor_client.post(reverse("roadmap:dependency_remove", args=["initiative", dependency.pk]))
    assert arrows() == 0


def test_renaming_a_person_shows_on_the_next_view(editor_client, admin_client, big, person):
    query = {"open": big["initiative"].pk}
    assert "Priya Raman" in seen(editor_client, big["roadmap"], **query)
    data = {"name": "Priya Raman-Okafor", "email": "", "title": "", "department": ""}
    assert admin_client.post(reverse("person_edit", args=[person.pk]), data).status_code == 302
    assert "Priya Raman-Okafor" in seen(editor_client, big["roadmap"], **query)


def test_a_business_event_added_and_removed_shows_on_the_next_view(editor_client, big):
    roadmap = big["roadmap"]
    assert "Budget recast" not in seen(editor_client, roadmap)
    data = {
        "kind": EventKind.BUDGET_RECAST, "name": "Budget recast", "start": "2027-04-01",
        "end": "2027-04-10", "recurs_yearly": "on", "notes": "",
    }  # fmt: skip
    editor_client.post(reverse("roadmap:event_create", args=[roadmap.pk]), data)
    assert "Budget recast" in seen(editor_client, roadmap)
    event = BusinessEvent.objects.get()
    editor_client.post(reverse("roadmap:event_delete", args=[roadmap.pk, event.pk]))
    assert "Budget recast" not in seen(editor_client, roadmap)


def test_a_new_person_as_owner_shows_on_the_next_view(editor_client, big):
    """A write to another roadmap's or organisation's data does not leak in, and an owner
    change through the initiative's form does show."""
    initiative = big["initiative"]
    seen(editor_client, big["roadmap"])
    newcomer = PersonFactory(org=initiative.org, name="Jonas Weber", is_ld_team=True)
    url = reverse("roadmap:initiative_edit", args=[initiative.pk])
    editor_client.post(url, edit_data(initiative, owner=newcomer.pk))
    html = seen(editor_client, big["roadmap"], colour="owner")
    assert "Jonas Weber" in html


# The share page: cached whole, a 304 when unchanged, never stale -------------------------


@pytest.fixture
def shared(roadmap, initiative, editor_membership):
    # The share page shows commitments; proposals only when the link says so.
    initiative.status = InitiativeStatus.COMMITTED
    initiative.save()
    link, token = ShareLink.issue(roadmap=roadmap, created_by=editor_membership.user)
    return link, reverse("roadmap:shared_roadmap", args=[token])


def test_the_share_page_is_served_from_the_cache_with_this_responses_nonce(
    shared, django_assert_num_queries
):
    _link, url = shared
    first = Client().get(url)
    # The link (+roadmap, org), outside a transaction: nothing of the roadmap, and its last
    # use is not written again within the minute.
    with django_assert_num_queries(1):
        second = Client().get(url)
    assert second.status_code == 200
    assert "Manager onboarding toolkit" in second.text
    nonces = []
    for response in (first, second):
        header = response["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", header).group(1)
        assert f'nonce="{nonce}"' in response.text
        assert "csp-nonce-of-this-response" not in response.text
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    assert second["Cache-Control"].count("no-store") == 1  # a secret URL is never stored


def test_an_unchanged_share_page_is_a_304(shared, editor_client, initiative):
    _link, url = shared
    etag = Client().get(url)["ETag"]
    unchanged = Client().get(url, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    edit = reverse("roadmap:initiative_edit", args=[initiative.pk])
    editor_client.post(edit, edit_data(initiative, title="Toolkit for new managers"))
    changed = Client().get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Toolkit for new managers" in changed.text


def test_a_member_and_a_stranger_see_the_same_page_and_no_account(shared, editor_client):
    _link, url = shared
    member = editor_client.get(url).text  # fills the cache while signed in
    stranger = Client().get(url).text
    for page in (member, stranger):
        assert "Northwind" in page  # "Shared by" the organisation
        assert 'aria-label="Main"' not in page  # no navigation of the workspace
        assert "Sign out" not in page and "Log out" not in page
        assert 'X-CSRFToken": ""' in page  # no visitor's token baked into the page


def test_a_revoked_or_expired_link_stops_at_once_though_the_page_is_cached(shared):
    link, url = shared
    assert Client().get(url).status_code == 200
    link.revoke()
    assert Client().get(url).status_code == 404
    assert "Manager onboarding toolkit" not in Client().get(url).text


def test_an_expiry_date_set_later_is_printed(shared):
    link, url = shared
    assert "valid until" not in Client().get(url).text
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + timedelta(days=30))
    assert "valid until" in Client().get(url).text


def test_share_page_shows_an_edited_initiative_a_new_one_and_a_committed_request(
    shared, editor_client, roadmap, initiative
):
    _link, url = shared
    assert "Sales academy" not in Client().get(url).text
    edit = reverse("roadmap:initiative_edit", args=[initiative.pk])
    editor_client.post(edit, edit_data(initiative, status="delivered"))
    assert "Delivered" in Client().get(url).text

    data = edit_data(initiative, title="Sales academy")
    assert editor_client.post(reverse("roadmap:initiative_create", args=[roadmap.pk]), data)
    assert "Sales academy" in Client().get(url).text


def test_share_page_shows_a_renamed_organisation_and_person(shared, admin_client, person, org):
    _link, url = shared
    assert "Priya Raman" in Client().get(url).text
    data = {"name": "Priya Raman-Okafor", "email": "", "title": "", "department": ""}
    admin_client.post(reverse("person_edit", args=[person.pk]), data)
    assert "Priya Raman-Okafor" in Client().get(url).text

    data = {"name": "Northwind Traders", "fiscal_year_start_month": org.fiscal_year_start_month}
    assert admin_client.post(reverse("org_settings"), data).status_code == 302
    assert "Northwind Traders" in Client().get(url).text


def test_share_page_shows_an_edited_declined_request(
    shared, editor_client, org, roadmap, editor_membership
):
    """Editing a request goes through the request form, which bumps the organisation's
    version: a declined request's new title is on the next view of the cached page."""
    from roadmap.forms.assess import REQUEST_FIELDS
    from tests.factories import TrainingRequestFactory

    _link, url = shared
    item = TrainingRequestFactory(org=org, title="Excel for everyone")
    item.decline(reason="Not a priority this year.", by=editor_membership.user)
    # Decided in the roadmap's first cycle: the page lists it under that cycle.
    cycle = roadmap.cycles.order_by("start").first()
    decided = datetime.combine(cycle.start, time(12), tzinfo=UTC)
    TrainingRequest.objects.filter(pk=item.pk).update(decided_at=decided)
    bump_org(org)
    assert "Excel for everyone" in Client().get(url).text

    data = {field: getattr(item, field) or "" for field in REQUEST_FIELDS}
    data.update(title="Spreadsheets for everyone", priority="", gap=item.gap, impact=item.impact)
    edit = reverse("roadmap:request_edit", args=[item.pk])
    response = editor_client.post(edit, data)
    assert response.status_code == 302, response.context["form"].errors

    page = Client().get(url).text
    assert "Spreadsheets for everyone" in page
    assert "Excel for everyone" not in page


def test_share_page_shows_a_renamed_moved_and_removed_priority(shared, editor_client, initiative):
    from tests.factories import PriorityFactory, StrategyFactory

    _link, url = shared
    strategy = StrategyFactory(org=initiative.org)
    priority = PriorityFactory(strategy=strategy, capability="Keep mid-level managers")
    PriorityFactory(strategy=strategy, capability="Faster onboarding")
    initiative.priority = priority
    initiative.save()
    bump_org(initiative.org)
    assert "Keep mid-level managers" in Client().get(url).text

    data = {
        "capability": "Keep and grow mid-level managers",
        "problem": priority.problem,
        "business_owner": priority.business_owner_id,
        "kpi": "",
    }
    edit = reverse("strategy:priority_edit", args=[priority.pk])
    response = editor_client.post(edit, data)
    assert response.status_code == 302, response.context["form"].errors
    assert "Keep and grow mid-level managers" in Client().get(url).text

    editor_client.post(reverse("strategy:priority_delete", args=[priority.pk]))
    assert "Keep and grow mid-level managers" not in Client().get(url).text


# After a change the share page is rebuilt from cached parts (cards, timeline, not-doing
# lists) keyed by what each shows: the changed part is new, the others are reused.


def test_a_renamed_initiative_is_new_in_its_card_and_the_timeline_and_other_cards_are_reused(
    shared, roadmap, initiative, editor_membership
):
    from django.core.cache import cache

    from roadmap_site.cache import key

    link, url = shared
    cycle = roadmap.cycles.order_by("start").first()
    initiative.cycle = cycle
    initiative.save()
    other = InitiativeFactory(
        roadmap=roadmap, cycle=cycle, status=InitiativeStatus.COMMITTED, title="Coaching circles"
    )
    roadmap.touch()
    assert "Coaching circles" in Client().get(url).text
    # Mark the other card in the cache: if the rebuild reuses it, the page shows the mark.
    pool = cache.get(key("share-cards", link.pk))
    assert len(pool) == 2
    for digest, card in pool.items():
        if f'id="initiative-{other.pk}"' in card:
            pool[digest] = card.replace("Coaching circles", "Coaching circles (from the cache)")
    cache.set(key("share-cards", link.pk), pool)

    initiative.change(by=editor_membership.user, title="Toolkit for new managers")
    page = Client().get(url).text
    assert '<h4 class="initiative-title">Toolkit for new managers</h4>' in page
    assert "<span>Toolkit for new managers <small>" in page  # its timeline bar
    assert "Manager onboarding toolkit" not in page
    assert "Coaching circles (from the cache)" in page


def test_cards_of_a_link_with_feedback_are_not_those_of_a_link_without(
    shared, roadmap, initiative, editor_membership
):
    _link, url = shared
    _with, token = ShareLink.issue(
        roadmap=roadmap, created_by=editor_membership.user, allow_feedback=True
    )
    comment = f'href="initiatives/{initiative.pk}/">Comment on Manager onboarding toolkit'
    assert comment not in Client().get(url).text
    assert comment in Client().get(reverse("roadmap:shared_roadmap", args=[token])).text
    assert comment not in Client().get(url).text


def test_a_declined_requests_new_reason_is_on_the_next_view(
    shared, editor_client, org, roadmap, editor_membership
):
    from tests.factories import TrainingRequestFactory

    _link, url = shared
    item = TrainingRequestFactory(org=org, title="Excel for everyone")
    item.decline(reason="Not a priority this year.", by=editor_membership.user)
    cycle = roadmap.cycles.order_by("start").first()
    decided = datetime.combine(cycle.start, time(12), tzinfo=UTC)
    TrainingRequest.objects.filter(pk=item.pk).update(decided_at=decided)
    bump_org(org)
    assert "Not a priority this year." in Client().get(url).text
    TrainingRequest.objects.filter(pk=item.pk).update(decision_reason="Covered by the LMS.")
    bump_org(org)  # as the request's edit does
    page = Client().get(url).text
    assert "Covered by the LMS." in page
    assert "Not a priority this year." not in page
