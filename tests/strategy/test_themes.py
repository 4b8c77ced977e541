"""Theme suggestion on real notes, accepting, renaming and merging themes."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from strategy.models import ListeningSession, Theme, ThemeMention
from strategy.services import accept_theme
from strategy.themes import suggest_themes
from tests.factories import ListeningSessionFactory, PersonFactory, ThemeFactory

pytestmark = pytest.mark.django_db

# Real-sounding notes from five listening sessions, as a team would type them.
NOTES = [
    (
        "Engineering",
        "New engineers wait two to three weeks for laptop access and repository permissions. "
        "Their managers are first-time managers and lack manager support themselves.",
        "Time to first commit is 15 days on average; 40% felt lost in week one.",
    ),
    (
        "Sales",
        "New account executives take five months to close a first deal. Product knowledge is "
        "thin after onboarding, and the hiring wave in Q4 makes it worse.",
        "CRM: median 150 days to first closed deal.",
    ),
    (
        "Support",
        "Agents need eight weeks before they handle tickets alone. Product knowledge is the "
        "biggest gap; the hiring wave doubles the team.",
        "CSAT for agents in their first 90 days is 8 points lower.",
    ),
    (
        "People",
        "First-year attrition is 18%, and exit interviews cite a lack of manager support.",
        "HRIS attrition report.",
    ),
    (
        "Engineering",
        "Laptop access is still the first blocker for new engineers.",
        "Engagement survey: manager support rated 3.1 out of 5.",
    ),
]


@pytest.fixture
def sessions(org):
    made = []
    for i, (department, struggling, evidence) in enumerate(NOTES):
        made.append(
            ListeningSessionFactory(
                org=org,
                person=PersonFactory(org=org, department=department),
                department=department,
                held_on=date(2026, 9, 1 + i),
                struggling=struggling,
                evidence=evidence,
            )
        )
    return made


def test_suggests_shared_phrases_from_real_notes(sessions):
    suggestions = {s.phrase: s for s in suggest_themes(sessions)}
    assert {"manager support", "product knowledge", "laptop access", "hiring wave"} <= set(
        suggestions
    )
    support = suggestions["manager support"]
    assert support.departments == ["Engineering", "People"]
    assert len(support.sessions) == 3
    # A phrase only one session used is not a theme.
    assert "repository permissions" not in suggestions
    # More sessions first.
    assert next(iter(suggestions)) == "manager support"


def test_accepted_themes_are_not_suggested_again(sessions, org):
    accept_theme(org=org, name="Managers need support too", phrase="manager support")
    themes = list(Theme.objects.for_org(org).with_mentions())
    quoted = {m.session_id: [m.quote] for t in themes for m in t.mentions.all()}
    phrases = [
        s.phrase for s in suggest_themes(sessions, exclude=[t.name for t in themes], quoted=quoted)
    ]
    assert "manager support" not in phrases
    assert "product knowledge" in phrases


def test_no_notes_no_suggestions():
    assert suggest_themes([]) == []


def test_accept_links_sessions_with_the_quoting_sentence(sessions, org):
    theme = accept_theme(org=org, name="Product knowledge", phrase="product knowledge")
    quotes = sorted(theme.mentions.values_list("quote", flat=True))
    assert quotes == [
        "Product knowledge is the biggest gap; the hiring wave doubles the team.",
        "Product knowledge is thin after onboarding, and the hiring wave in Q4 makes it worse.",
    ]
    assert theme.counts_by_department() == {"Sales": 1, "Support": 1}


def test_merge_moves_quotes_once_per_session(sessions, org):
    a = accept_theme(org=org, name="Manager support", phrase="manager support")
    b = accept_theme(org=org, name="First-time managers", phrase="first-time managers")
    assert a.mentions.count() == 3 and b.mentions.count() == 1
    b.merge_into(a)
    assert not Theme.objects.filter(pk=b.pk).exists()
    assert a.mentions.count() == 3  # the engineering session was in both: kept once
    with pytest.raises(ValueError):
        a.merge_into(a)


# Views ------------------------------------------------------------------------------


def test_theme_page_lists_themes_by_department_and_suggestions(viewer_client, sessions, org):
    accept_theme(org=org, name="Product knowledge", phrase="product knowledge")
    response = viewer_client.get(reverse("strategy:theme_list"))
    assert response.status_code == 200
    assert response.context["departments"] == ["Sales", "Support"]
    assert response.context["rows"][0]["counts"] == [1, 1]
    assert b"Product knowledge is the biggest gap" in response.content
    assert b"manager support" in response.content  # still a suggestion
    assert b'name="phrase"' not in response.content  # viewers get no accept form


def test_editor_accepts_a_suggestion_under_another_name(editor_client, sessions, org):
    response = editor_client.post(
        reverse("strategy:theme_create"),
        {"name": "Managers of new hires need support", "phrase": "manager support"},
    )
    assert response.status_code == 302
    theme = Theme.objects.get(org=org)
    assert theme.name == "Managers of new hires need support"
    assert theme.mentions.count() == 3


def test_duplicate_theme_name_is_refused(editor_client, sessions, org):
    ThemeFactory(org=org, name="Product knowledge")
    response = editor_client.post(
        reverse("strategy:theme_create"), {"name": "product KNOWLEDGE", "phrase": "product"}
    )
    assert response.status_code == 400
    assert Theme.objects.count() == 1


def test_editor_renames_merges_and_removes(editor_client, sessions, org):
    a = accept_theme(org=org, name="Manager support", phrase="manager support")
    b = accept_theme(org=org, name="Laptops", phrase="laptop access")
    response = editor_client.post(
        reverse("strategy:theme_rename", args=[b.pk]), {f"t{b.pk}-name": "Access on day one"}
    )
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.name == "Access on day one"
    response = editor_client.post(
        reverse("strategy:theme_merge", args=[b.pk]), {f"m{b.pk}-into": a.pk}
    )
    assert response.status_code == 302
    assert list(Theme.objects.all()) == [a]
    response = editor_client.post(reverse("strategy:theme_delete", args=[a.pk]))
    assert response.status_code == 302
    assert not Theme.objects.exists()
    assert ListeningSession.objects.count() == len(NOTES)


def test_merge_into_another_orgs_theme_is_refused(editor_client, sessions, org, other_org):
    a = accept_theme(org=org, name="Manager support", phrase="manager support")
    foreign = ThemeFactory(org=other_org)
    response = editor_client.post(
        reverse("strategy:theme_merge", args=[a.pk]), {f"m{a.pk}-into": foreign.pk}
    )
    assert response.status_code == 400
    assert Theme.objects.filter(pk=a.pk).exists()


def test_viewer_cannot_change_themes(viewer_client, sessions, org):
    a = accept_theme(org=org, name="Manager support", phrase="manager support")
    b = ThemeFactory(org=org, name="Other")
    mentions = ThemeMention.objects.count()
    posts = [
        (reverse("strategy:theme_create"), {"name": "X", "phrase": "laptop access"}),
        (reverse("strategy:theme_rename", args=[a.pk]), {f"t{a.pk}-name": "Y"}),
        (reverse("strategy:theme_merge", args=[a.pk]), {f"m{a.pk}-into": b.pk}),
        (reverse("strategy:theme_delete", args=[a.pk])),
    ]
    for post in posts:
        url, data = post if isinstance(post, tuple) else (post, {})
        assert viewer_client.post(url, data).status_code == 403
    assert sorted(Theme.objects.values_list("name", flat=True)) == ["Manager support", "Other"]
    assert ThemeMention.objects.count() == mentions


def test_outsider_cannot_touch_themes(outsider_client, sessions, org):
    a = accept_theme(org=org, name="Manager support", phrase="manager support")
    for name in ("theme_rename", "theme_merge", "theme_delete"):
        assert outsider_client.post(reverse(f"strategy:{name}", args=[a.pk])).status_code == 404
    response = outsider_client.get(reverse("strategy:theme_list"))
    assert response.status_code == 200
    assert b"Manager support" not in response.content
    assert response.context["session_count"] == 0
    assert Theme.objects.filter(pk=a.pk, name="Manager support").exists()


def test_theme_list_query_count_does_not_grow(
    editor_client, sessions, org, django_assert_num_queries
):
    accept_theme(org=org, name="Manager support", phrase="manager support")
    url = reverse("strategy:theme_list")
    editor_client.get(url)
    with django_assert_num_queries(8) as small:
        editor_client.get(url)
    for i, phrase in enumerate(["product knowledge", "laptop access", "hiring wave"]):
        accept_theme(org=org, name=f"Theme {i}", phrase=phrase)
    for i in range(5):
        ListeningSessionFactory(
            org=org, department=f"Dept {i}", struggling="Manager support is thin."
        )
    with django_assert_num_queries(len(small.captured_queries)):
        editor_client.get(url)
