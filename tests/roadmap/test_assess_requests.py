"""The request screens as editor, viewer, outsider and anonymous; filters, sorting, bulk
triage, the score on every request, and the list's query count pinned."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from roadmap.models import TrainingRequest, TrainingRequestState
from roadmap.scoring import DEFAULT_WEIGHTS
from roadmap_site.cache import bump_org
from tests.conftest import HTMX
from tests.factories import PriorityFactory, TrainingRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(org):
    return TrainingRequestFactory(org=org, title="Support agent certification")


def urls(item) -> dict[str, str]:
    return {
        "list": reverse("roadmap:request_list"),
        "detail": reverse("roadmap:request_detail", args=[item.pk]),
        "edit": reverse("roadmap:request_edit", args=[item.pk]),
        "new": reverse("roadmap:request_create"),
        "decline": reverse("roadmap:request_decide", args=[item.pk, "decline"]),
        "assess": reverse("roadmap:request_decide", args=[item.pk, "assess"]),
        "commit": reverse("roadmap:request_commit") + f"?requests={item.pk}",
        "bulk": reverse("roadmap:request_bulk"),
        "scoring": reverse("roadmap:assess_settings"),
    }


# Scoping ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, item):
    for name, url in urls(item).items():
        response = client.get(url) if name not in ("bulk", "decline") else client.post(url)
        assert response.status_code == 302, name
        assert "/accounts/login/" in response.url


def test_outsider_gets_404_on_every_row(outsider_client, item):
    u = urls(item)
    assert outsider_client.get(u["detail"]).status_code == 404
    assert outsider_client.get(u["edit"]).status_code == 404
    assert outsider_client.post(u["decline"], {"reason": "x"}).status_code == 404
    assert outsider_client.get(u["commit"]).status_code == 404
    # Their own list does not show it; a bulk post with its id is an invalid choice.
    assert item.title not in outsider_client.get(u["list"]).content.decode()
    outsider_client.post(u["bulk"], {"requests": [item.pk], "action": "decline", "reason": "x"})
    item.refresh_from_db()
    assert item.state == TrainingRequestState.NEW


def test_viewer_reads_but_cannot_write(viewer_client, item, row_counts):
    u = urls(item)
    assert viewer_client.get(u["list"]).status_code == 200
    page = viewer_client.get(u["detail"])
    assert page.status_code == 200
    assert "Start assessment" not in page.content.decode()
    before = row_counts()
    assert viewer_client.get(u["edit"]).status_code == 403
    assert viewer_client.get(u["new"]).status_code == 403
    assert viewer_client.post(u["decline"], {"reason": "No"}).status_code == 403
    assert viewer_client.post(u["assess"]).status_code == 403
    assert viewer_client.get(u["commit"]).status_code == 403
    assert (
        viewer_client.post(u["bulk"], {"requests": [item.pk], "action": "assess"}).status_code
        == 403
    )
    assert viewer_client.post(u["scoring"], {"scoring_model": "rice"}).status_code == 403
    assert row_counts() == before
    item.refresh_from_db()
    assert item.state == TrainingRequestState.NEW


def test_editor_triages_with_htmx_and_errors_rerender_the_panel(editor_client, item):
    u = urls(item)
    refused = editor_client.post(u["decline"], {"reason": ""}, **HTMX)
    assert refused.status_code == 200
    body = refused.content.decode()
    assert 'id="triage"' in body and "<html" not in body
    assert "This field is required." in body
    item.refresh_from_db()
    assert item.state == TrainingRequestState.NEW

    done = editor_client.post(u["decline"], {"reason": "Not a training problem."}, **HTMX)
    assert done.status_code == 200
    assert "Not a training problem." in done.content.decode()
    item.refresh_from_db()
    assert item.state == TrainingRequestState.DECLINED


def test_a_refused_transition_is_shown_not_applied(editor_client, item, editor_membership):
    item.mark_duplicate(of=TrainingRequestFactory(org=item.org), by=editor_membership.user)
    response = editor_client.post(urls(item)["decline"], {"reason": "No"})
    assert response.status_code == 400
    assert "cannot be declined" in response.content.decode()


def test_commit_page_refuses_a_declined_request(editor_client, item, editor_membership):
    item.decline(reason="No.", by=editor_membership.user)
    response = editor_client.get(urls(item)["commit"])
    assert "These cannot be committed" in response.content.decode()
    assert 'name="owner"' not in response.content.decode()


def test_defer_with_a_cycle_of_another_org_is_refused(editor_client, item, other_org):
    from tests.factories import RoadmapFactory

    foreign = RoadmapFactory(org=other_org).cycles.first()
    url = reverse("roadmap:request_decide", args=[item.pk, "defer"])
    response = editor_client.post(url, {"cycle": foreign.pk, "reason": "Later"})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.state == TrainingRequestState.NEW


def test_unknown_action_is_404(editor_client, item):
    url = reverse("roadmap:request_decide", args=[item.pk, "delete"])
    assert editor_client.post(url).status_code == 404


def test_editor_creates_a_request_and_sees_its_score_breakdown(editor_client, org):
    response = editor_client.post(
        reverse("roadmap:request_create"),
        {
            "title": "Negotiation skills",
            "problem": "Average discount 19%.",
            "evidence_kind": "metric",
            "gap": "knowledge",
            "impact": "1",
            "audience_size": "80",
        },
    )
    item = TrainingRequest.objects.get()
    assert response.url == reverse("roadmap:request_detail", args=[item.pk])
    assert item.submitted_by is not None
    page = editor_client.get(response.url).content.decode()
    for label in ("Alignment with a ranked priority", "Evidence strength", "Training fit"):
        assert label in page
    assert "Backed by a business metric." in page


# The list --------------------------------------------------------------------------------


def test_list_sorts_by_score_and_filters(editor_client, org):
    priority = PriorityFactory(org=org, strategy__org=org)
    TrainingRequestFactory(org=org, title="Low", evidence_kind="none", gap="process")
    TrainingRequestFactory(
        org=org,
        title="High",
        evidence_kind="metric",
        gap="knowledge",
        priority=priority,
        requester_department="Sales",
    )
    page = editor_client.get(reverse("roadmap:request_list")).content.decode()
    assert page.index(">High<") < page.index(">Low<")
    sales = editor_client.get(reverse("roadmap:request_list"), {"department": "Sales"})
    assert ">High<" in sales.content.decode() and ">Low<" not in sales.content.decode()
    by_priority = editor_client.get(reverse("roadmap:request_list"), {"priority": priority.pk})
    assert ">Low<" not in by_priority.content.decode()
    fragment = editor_client.get(reverse("roadmap:request_list"), {"state": "new"}, **HTMX)
    assert 'id="request-table"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_bulk_decline_from_the_list(editor_client, org):
    a, b = TrainingRequestFactory(org=org), TrainingRequestFactory(org=org)
    editor_client.post(
        reverse("roadmap:request_bulk"),
        {"requests": [a.pk, b.pk], "action": "decline", "reason": "Not this year."},
    )
    assert set(TrainingRequest.objects.values_list("state", "decision_reason")) == {
        ("declined", "Not this year.")
    }


def test_bulk_decline_without_reason_changes_nothing(editor_client, org):
    a = TrainingRequestFactory(org=org)
    editor_client.post(reverse("roadmap:request_bulk"), {"requests": [a.pk], "action": "decline"})
    a.refresh_from_db()
    assert a.state == TrainingRequestState.NEW


def test_bulk_commit_goes_to_the_commit_page(editor_client, org):
    a, b = TrainingRequestFactory(org=org), TrainingRequestFactory(org=org)
    response = editor_client.post(
        reverse("roadmap:request_bulk"), {"requests": [a.pk, b.pk], "action": "commit"}
    )
    assert response.url == reverse("roadmap:request_commit") + f"?requests={a.pk}&requests={b.pk}"


def test_scoring_settings_change_the_model(editor_client, org, item):
    data = {
        "scoring_model": "rice",
        "weight_alignment": 30,
        "weight_evidence": 20,
        "weight_reach": 15,
        "weight_urgency": 10,
        "weight_training_fit": 15,
        "weight_effort": 10,
        "intake_open": "on",
    }
    assert editor_client.post(reverse("roadmap:assess_settings"), data).status_code == 302
    page = editor_client.get(urls(item)["detail"]).content.decode()
    assert "reach × impact × confidence ÷ effort" in page  # noqa: RUF001
    too_heavy = {**data, "weight_alignment": 101}
    assert editor_client.post(reverse("roadmap:assess_settings"), too_heavy).status_code == 400


# Session, user, memberships (the current one and the header's others, one query), settings
# and ranked priorities (the scoring's part of the cache key), current roadmap, savepoint
# pair. The page's body comes from the cache while nothing changed.
LIST_QUERIES = 8
# After a change: the ranked ids (scored and sorted by the database), one page of requests
# by id, the departments, filter priorities, bulk cycles.
LIST_QUERIES_AFTER_A_CHANGE = 13


@pytest.mark.parametrize("count", [10, 1000])
def test_the_list_query_count_does_not_grow(editor_client, org, count, django_assert_num_queries):
    priorities = [PriorityFactory(org=org, strategy__org=org) for _ in range(2)]
    TrainingRequest.objects.bulk_create(
        [
            TrainingRequest(
                org=org,
                title=f"Request {n}",
                problem="p",
                priority=priorities[n % 2],
                requester_department=f"Dept {n % 5}",
                audience_size=n,
            )
            for n in range(count)
        ]
    )
    editor_client.get(reverse("roadmap:request_list"))  # warm the session
    with django_assert_num_queries(LIST_QUERIES):
        response = editor_client.get(reverse("roadmap:request_list"))
    assert response.status_code == 200
    assert f"{count} requests" in response.content.decode()

    bump_org(org)
    with django_assert_num_queries(LIST_QUERIES_AFTER_A_CHANGE):
        response = editor_client.get(reverse("roadmap:request_list"))
    assert f"{count} requests" in response.content.decode()


# The list is sorted once per change: every change shows on the next view -----------------


def titles(client, **query) -> list[str]:
    """The titles the list shows, in its order, read from the HTML (a cached page has no
    context to read)."""
    response = client.get(reverse("roadmap:request_list"), query)
    assert response.status_code == 200
    return re.findall(r'<td class="title"><a href="[^"]*">([^<]*)</a>', response.text)


def test_a_new_edited_and_declined_request_show_on_the_next_view(editor_client, org, item):
    assert titles(editor_client) == ["Support agent certification"]
    data = {
        "title": "Escalation handling",
        "problem": "p",
        "evidence_kind": "none",
        "gap": "knowledge",
        "impact": "1",
        "requester_department": "Support",
    }
    created = editor_client.post(reverse("roadmap:request_create"), data)
    assert created.status_code == 302, created.context["form"].errors
    assert sorted(titles(editor_client)) == ["Escalation handling", "Support agent certification"]
    assert '<option value="Support">' in editor_client.get(urls(item)["list"]).text

    editor_client.post(urls(item)["edit"], {**data, "title": "Agent certification"})
    assert "Agent certification" in titles(editor_client)
    editor_client.post(urls(item)["decline"], {"reason": "Not now."})
    assert titles(editor_client, state="declined") == ["Agent certification"]


def test_scoring_settings_and_priority_ranks_reorder_the_next_view(editor_client, org):
    from tests.factories import StrategyFactory

    strategy = StrategyFactory(org=org)
    first = PriorityFactory(strategy=strategy, rank=1)
    second = PriorityFactory(strategy=strategy, rank=2)
    TrainingRequestFactory(org=org, title="Serves the first", priority=first, audience_size=10)
    TrainingRequestFactory(org=org, title="Serves the second", priority=second, audience_size=10)
    assert titles(editor_client) == ["Serves the first", "Serves the second"]

    move = reverse("strategy:priority_move", args=[second.pk])
    editor_client.post(move, {"direction": "up"})
    assert titles(editor_client) == ["Serves the second", "Serves the first"]

    TrainingRequestFactory(org=org, title="Huge audience", audience_size=100_000, effort_days=5)
    bump_org(org)  # as the request form does
    assert titles(editor_client)[0] == "Serves the second"  # alignment weighs most
    reach_only = {f"weight_{key}": 0 for key in DEFAULT_WEIGHTS} | {
        "scoring_model": "weighted",
        "weight_reach": 100,
        "intake_open": "",
    }
    assert editor_client.post(reverse("roadmap:assess_settings"), reach_only).status_code == 302
    assert titles(editor_client)[0] == "Huge audience"


# "Turn into a request" from the strategy -------------------------------------------------


def test_a_listening_session_theme_prefills_a_request(editor_client, org):
    from tests.factories import ListeningSessionFactory, ThemeFactory

    session = ListeningSessionFactory(org=org, department="Engineering")
    theme = ThemeFactory(org=org, name="Difficult conversations")
    theme.attach("difficult conversations", [session])
    url = reverse("roadmap:request_create") + f"?from_theme={theme.pk}"
    form = editor_client.get(url).context["form"]
    assert form.initial["title"] == "Difficult conversations"
    assert "New managers struggle" in form.initial["problem"]
    editor_client.post(url, {**form.initial, "gap": "unknown", "impact": "1"})
    item = TrainingRequest.objects.get()
    assert (item.source, item.source_detail) == ("listening", "Theme: Difficult conversations")


def test_a_maturity_suggestion_prefills_a_request(editor_client, org):
    from tests.factories import MaturityAssessmentFactory

    assessment = MaturityAssessmentFactory(org=org)
    url = reverse("roadmap:request_create")
    response = editor_client.get(
        url, {"from_suggestion": "needs_analysis", "assessment": assessment.pk}
    )
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert "is at level 1 (Reactive). Next move:" in initial["problem"]
    editor_client.post(
        f"{url}?from_suggestion=needs_analysis&assessment={assessment.pk}",
        {**initial, "impact": "1"},
    )
    assert TrainingRequest.objects.get().source == "maturity"
    assert editor_client.get(url, {"from_suggestion": "no-such-dimension"}).status_code == 404


def test_prefill_from_another_organisation_is_404(editor_client, other_org):
    from tests.factories import MaturityAssessmentFactory, ThemeFactory

    theme = ThemeFactory(org=other_org)
    assessment = MaturityAssessmentFactory(org=other_org)
    url = reverse("roadmap:request_create")
    assert editor_client.get(url, {"from_theme": theme.pk}).status_code == 404
    params = {"from_suggestion": "needs_analysis", "assessment": assessment.pk}
    assert editor_client.get(url, params).status_code == 404
