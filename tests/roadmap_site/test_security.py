"""Content-Security-Policy on every page; no inline script anywhere; nonces on our scripts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from roadmap.models import Export, ShareLink

pytestmark = pytest.mark.django_db


class Scripts(HTMLParser):
    """Every <script>: its attributes and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open, self._text = dict(attrs), []

    def handle_data(self, data):
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._open is not None:
            self.scripts.append((self._open, "".join(self._text)))
            self._open = None


def scripts_of(html: str) -> list[tuple[dict[str, str | None], str]]:
    parser = Scripts()
    parser.feed(html)
    parser.close()
    return parser.scripts


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.fixture
def pages(roadmap, initiative, editor_membership, client_for):
    """(client, url) for every kind of HTML page: member pages, auth pages, the shared page
    and error pages."""
    export = Export.objects.create(org=roadmap.org, roadmap=roadmap)
    _link, token = ShareLink.issue(roadmap=roadmap, created_by=editor_membership.user)
    member = client_for("editor")
    anonymous = Client()
    return [
        (member, reverse("roadmap:roadmap_list")),
        (member, reverse("roadmap:roadmap_detail", args=[roadmap.pk])),
        (member, reverse("roadmap:roadmap_create")),
        (member, reverse("roadmap:initiative_detail", args=[initiative.pk])),
        (member, reverse("roadmap:initiative_edit", args=[initiative.pk])),
        (member, reverse("roadmap:export_detail", args=[export.pk])),
        (member, reverse("members")),
        (member, reverse("people")),
        (member, reverse("org_settings")),
        (member, reverse("org_create")),
        (member, reverse("roadmap:roadmap_detail", args=[987654])),  # 404 page
        (anonymous, reverse("login")),
        (anonymous, reverse("signup")),
        (anonymous, reverse("password_reset")),
        (anonymous, reverse("roadmap:shared_roadmap", args=[token])),
        (anonymous, reverse("roadmap:shared_roadmap", args=["revoked-or-unknown"])),
        (anonymous, reverse("invite_accept", args=["unknown"])),
    ]


def test_every_page_has_a_strict_csp_and_no_inline_script(pages):
    for client, url in pages:
        response = client.get(url)
        assert response["Content-Type"].startswith("text/html"), url
        assert response.status_code in (200, 404), url

        header = response.get("Content-Security-Policy")
        assert header, url
        policy = csp_directives(header)
        script_src = policy["script-src"]
        assert "'unsafe-inline'" not in script_src, url
        assert "'unsafe-eval'" not in script_src, url
        assert "'self'" in script_src, url
        assert policy["object-src"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["base-uri"] == ["'none'"], url
        nonces = [s.removeprefix("'nonce-").rstrip("'") for s in script_src if "nonce-" in s]

        scripts = scripts_of(response.text)
        assert scripts, url  # htmx and app.js at least
        for attrs, text in scripts:
            if attrs.get("type") == "application/json":
                continue  # data, not code (json_script)
            assert attrs.get("src"), f"inline <script> on {url}: {text[:80]!r}"
            assert not text.strip(), url
            # Our scripts carry this response's nonce.
            assert nonces, url
            assert attrs.get("nonce") == nonces[0], url


def test_inline_handlers_are_not_used(pages):
    """CSP blocks on*= attributes too; a page relying on one would silently break."""
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
    for client, url in pages:
        assert not handler.search(client.get(url).text), url


def test_the_nonce_changes_per_response(editor_client, roadmap):
    url = reverse("roadmap:roadmap_detail", args=[roadmap.pk])
    first = editor_client.get(url)["Content-Security-Policy"]
    second = editor_client.get(url)["Content-Security-Policy"]
    assert re.search(r"'nonce-[^']+'", first)
    assert first != second


def test_chart_data_is_a_json_block(editor_client, roadmap, initiative):
    page = editor_client.get(reverse("roadmap:roadmap_detail", args=[roadmap.pk]))
    blocks = [
        (attrs, text)
        for attrs, text in scripts_of(page.text)
        if attrs.get("type") == "application/json"
    ]
    assert [attrs["id"] for attrs, _ in blocks] == ["chart-initiatives-per-cycle"]


def test_script_breaking_title_is_escaped(editor_client, roadmap):
    """A roadmap title cannot open a script: template autoescaping and json_script."""
    roadmap.title = "</script><script>alert(1)</script>"
    roadmap.save()
    from roadmap.models import Initiative

    Initiative.objects.create(org=roadmap.org, roadmap=roadmap, title="<script>alert(2)</script>")
    page = editor_client.get(reverse("roadmap:roadmap_detail", args=[roadmap.pk]))
    for attrs, _text in scripts_of(page.text):
        assert attrs.get("src") or attrs.get("type") == "application/json"
    assert "<script>alert" not in page.text


def test_security_headers(editor_client, roadmap):
    response = editor_client.get(reverse("roadmap:roadmap_detail", args=[roadmap.pk]))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
