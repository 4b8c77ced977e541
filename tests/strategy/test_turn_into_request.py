"""The strategy pages offer "Turn into a request" to editors, and the link prefills the form."""

from __future__ import annotations

import re

from django.urls import reverse

from tests.factories import ListeningSessionFactory, MaturityAssessmentFactory, ThemeFactory

BUTTON = "Turn into a request"


def _links(html: str) -> list[str]:
    return [
        href.replace("&amp;", "&")
        for href in re.findall(r'href="([^"]+)"', html)
        if "/requests/new/" in href
    ]


def test_weakest_dimensions_offer_a_request_to_editors(editor_client, org):
    assessment = MaturityAssessmentFactory(org=org)
    page = editor_client.get(reverse("strategy:maturity_detail", args=[assessment.pk]))
    html = page.content.decode()
    assert BUTTON in html
    links = _links(html)
    assert links, "no link to the request form"
    assert all(f"assessment={assessment.pk}" in link for link in links)
    # Following one lands on a prefilled form for that dimension.
    form = editor_client.get(links[0]).context["form"]
    assert "Next move:" in form.initial["problem"]


def test_themes_offer_a_request_to_editors(editor_client, org):
    session = ListeningSessionFactory(org=org)
    theme = ThemeFactory(org=org, name="Difficult conversations")
    theme.attach("difficult conversations", [session])
    html = editor_client.get(reverse("strategy:theme_list")).content.decode()
    assert f"?from_theme={theme.pk}" in html
    form = editor_client.get(_links(html)[0]).context["form"]
    assert form.initial["title"] == "Difficult conversations"


def test_viewers_are_not_offered_the_button(viewer_client, org):
    assessment = MaturityAssessmentFactory(org=org)
    session = ListeningSessionFactory(org=org)
    ThemeFactory(org=org).attach("difficult conversations", [session])
    for url in (
        reverse("strategy:maturity_detail", args=[assessment.pk]),
        reverse("strategy:theme_list"),
    ):
        assert BUTTON not in viewer_client.get(url).content.decode()
