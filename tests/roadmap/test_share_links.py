"""Share links: a secret shown once and stored hashed, a read-only page, revocation, expiry."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from roadmap.models import ShareLink
from roadmap_site.models import hash_token
from tests.conftest import HTMX

pytestmark = pytest.mark.django_db

TOKEN_IN_URL = re.compile(r"/s/([A-Za-z0-9_-]+)/")


def create_link(client: Client, roadmap, **data):
    return client.post(reverse("roadmap:share_link_create", args=[roadmap.pk]), data, **HTMX)


def every_stored_value() -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ShareLink._meta.db_table}")  # noqa: S608
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


class Tags(HTMLParser):
    """The start tags of a page, as (tag, attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


@pytest.fixture
def shared(roadmap, initiative, editor_membership):
    # The page shows commitments (a proposal only when the link says so).
    initiative.status = "committed"
    initiative.save()
    link, token = ShareLink.issue(
        roadmap=roadmap, created_by=editor_membership.user, label="Exec team"
    )
    return link, token


def test_creating_a_link_shows_the_url_once_and_stores_only_its_hash(editor_client, roadmap):
    response = create_link(editor_client, roadmap, label="Exec team review")

    assert response.status_code == 200
    assert "<html" not in response.text
    assert response["Cache-Control"] == "no-store"
    match = TOKEN_IN_URL.search(response.text)
    assert match is not None
    token = match.group(1)
    assert len(token) >= 43  # 32 random bytes, base64url
    assert f"http://testserver/s/{token}/" in response.text
    link = ShareLink.objects.get()
    assert link.label == "Exec team review"
    assert link.token_hash == hash_token(token)
    assert token not in every_stored_value()
    # Shown once: the Share page lists the link but never its URL again.
    page = editor_client.get(reverse("roadmap:roadmap_share", args=[roadmap.pk]))
    assert "Exec team review" in page.text
    assert token not in page.text
    assert "/s/" not in page.text


def test_two_links_get_different_tokens(editor_client, roadmap):
    first = TOKEN_IN_URL.search(create_link(editor_client, roadmap).text).group(1)
    second = TOKEN_IN_URL.search(create_link(editor_client, roadmap).text).group(1)
    assert first != second
    assert ShareLink.objects.count() == 2


def test_link_with_expiry_date(editor_client, roadmap):
    day = timezone.localdate() + timedelta(days=10)
    create_link(editor_client, roadmap, label="Board", expires_on=day.isoformat())
    link = ShareLink.objects.get()
    assert timezone.localtime(link.expires_at).date() == day


@pytest.mark.parametrize("days", [0, -1, -30])
def test_expiry_in_the_past_is_a_form_error(editor_client, roadmap, row_counts, days):
    before = row_counts()
    day = timezone.localdate() + timedelta(days=days)
    response = create_link(editor_client, roadmap, expires_on=day.isoformat())
    assert "Choose a date after today." in response.text
    assert TOKEN_IN_URL.search(response.text) is None
    assert row_counts() == before


def test_expiry_in_the_past_without_htmx_is_a_400(editor_client, roadmap, row_counts):
    before = row_counts()
    response = editor_client.post(
        reverse("roadmap:share_link_create", args=[roadmap.pk]), {"expires_on": "2000-01-01"}
    )
    assert response.status_code == 400
    assert row_counts() == before


def test_shared_page_signed_out_is_read_only(shared, roadmap, initiative):
    _link, token = shared
    client = Client()

    response = client.get(reverse("roadmap:shared_roadmap", args=[token]))

    assert response.status_code == 200
    body = response.text
    assert roadmap.title in body
    assert initiative.title in body
    tags = tags_of(body)
    assert not [t for t, _ in tags if t == "form"]
    assert not [a for t, a in tags if t == "input" and a.get("name") == "csrfmiddlewaretoken"]
    assert not [a for t, a in tags if a.get("hx-post") or a.get("hx-get")]
    assert ">Edit<" not in body
    assert reverse("roadmap:initiative_edit", args=[initiative.pk]) not in body
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control
    assert "no-store" in cache_control


def test_opening_a_link_records_last_use(shared):
    link, token = shared
    assert link.last_used_at is None
    moment = timezone.now() + timedelta(hours=3)
    with time_machine.travel(moment, tick=False):
        Client().get(reverse("roadmap:shared_roadmap", args=[token]))
    link.refresh_from_db()
    assert link.last_used_at == moment


def test_revoked_link_is_a_404(editor_client, shared):
    link, token = shared

    response = editor_client.post(reverse("roadmap:share_link_revoke", args=[link.pk]), **HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert link.state == "revoked"
    opened = Client().get(reverse("roadmap:shared_roadmap", args=[token]))
    assert opened.status_code == 404
    assert "does not open a roadmap" in opened.text
    assert opened["Referrer-Policy"] == "no-referrer"


def test_revoke_without_htmx_redirects_to_the_share_page(editor_client, shared, roadmap):
    link, _ = shared
    response = editor_client.post(reverse("roadmap:share_link_revoke", args=[link.pk]))
    assert response["Location"] == reverse("roadmap:roadmap_share", args=[roadmap.pk])


def test_expired_link_is_a_404(roadmap, editor_membership):
    expires_at = timezone.now() + timedelta(days=2)
    link, token = ShareLink.issue(
        roadmap=roadmap, created_by=editor_membership.user, expires_at=expires_at
    )
    url = reverse("roadmap:shared_roadmap", args=[token])
    with time_machine.travel(expires_at - timedelta(minutes=1)):
        assert Client().get(url).status_code == 200
    with time_machine.travel(expires_at + timedelta(minutes=1)):
        assert Client().get(url).status_code == 404
        assert ShareLink.objects.get(pk=link.pk).state == "expired"


@pytest.mark.parametrize(
    "token", ["unknown", "x" * 43, "demo-global-onboarding-read-only-not"], ids=str
)
def test_unknown_token_is_a_404(db, token):
    response = Client().get(reverse("roadmap:shared_roadmap", args=[token]))
    assert response.status_code == 404
    assert "X-Robots-Tag" in response


def test_hash_of_a_token_does_not_open_the_link(shared):
    link, _token = shared
    response = Client().get(reverse("roadmap:shared_roadmap", args=[link.token_hash]))
    assert response.status_code == 404


def test_viewer_cannot_create_or_revoke(viewer_client, shared, roadmap, row_counts):
    link, _ = shared
    before = row_counts()
    assert create_link(viewer_client, roadmap, label="x").status_code == 403
    response = viewer_client.post(reverse("roadmap:share_link_revoke", args=[link.pk]), **HTMX)
    assert response.status_code == 403
    assert row_counts() == before
    link.refresh_from_db()
    assert link.revoked_at is None


def test_outsider_cannot_revoke(outsider_client, shared):
    link, token = shared
    response = outsider_client.post(reverse("roadmap:share_link_revoke", args=[link.pk]))
    assert response.status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None
    assert Client().get(reverse("roadmap:shared_roadmap", args=[token])).status_code == 200


def test_outsider_cannot_create_a_link_to_another_orgs_roadmap(
    outsider_client, roadmap, row_counts
):
    before = row_counts()
    assert create_link(outsider_client, roadmap).status_code == 404
    assert row_counts() == before


def test_shared_page_shows_no_org_navigation_or_other_roadmaps(shared, org):
    from tests.factories import RoadmapFactory

    RoadmapFactory(org=org, title="Confidential reorganisation plan")
    _link, token = shared
    body = Client().get(reverse("roadmap:shared_roadmap", args=[token])).text
    assert "Confidential reorganisation plan" not in body
    assert reverse("members") not in body
    assert reverse("people") not in body


def test_share_link_rate_comes_from_settings(client, roadmap, settings):
    from django.core.cache import cache

    from roadmap.models import ShareLink

    cache.clear()
    settings.RATELIMIT_ENABLE = True
    settings.SHARE_LINK_RATE = "2/m"
    _link, token = ShareLink.issue(roadmap=roadmap, created_by=None)
    statuses = [client.get(f"/s/{token}/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


# Revoking asks first, naming what breaks ---------------------------------------------------


def test_revoke_asks_first_naming_the_link_and_what_breaks(editor_client, shared, roadmap):
    link, token = shared
    created = datetime(2027, 1, 5, 9, 0, tzinfo=timezone.get_current_timezone())
    used = datetime(2027, 3, 2, 14, 30, tzinfo=timezone.get_current_timezone())
    ShareLink.objects.filter(pk=link.pk).update(created_at=created, last_used_at=used)

    response = editor_client.get(reverse("roadmap:share_link_revoke", args=[link.pk]))

    assert response.status_code == 200
    text = " ".join(response.text.split())
    assert (
        "Anyone with this link — <strong>Exec team</strong>, created 5 Jan 2027 by "
        f"{link.created_by}, last used 2 Mar 2027, 14:30 — will no longer be able to open "
        f"“{roadmap.title}”. Revoke?"
    ) in text
    # Asking changes nothing.
    link.refresh_from_db()
    assert link.revoked_at is None
    assert Client().get(reverse("roadmap:shared_roadmap", args=[token])).status_code == 200
    # The page confirms with a POST and offers a way back.
    tags = tags_of(response.text)
    forms = [a for t, a in tags if t == "form" and a.get("method") == "post"]
    assert any(
        a.get("action") == reverse("roadmap:share_link_revoke", args=[link.pk]) for a in forms
    )
    assert "Keep it" in response.text


def test_revoke_confirmation_of_a_link_never_used(editor_client, shared):
    link, _ = shared
    response = editor_client.get(reverse("roadmap:share_link_revoke", args=[link.pk]))
    assert "never used" in response.text


def test_revoke_confirmation_for_the_dialog_is_a_fragment(editor_client, shared):
    link, _ = shared
    response = editor_client.get(reverse("roadmap:share_link_revoke", args=[link.pk]), **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "will no longer be able to open" in response.text
    assert 'hx-target="#share-links"' in response.text
    assert "data-dialog-close" in response.text


def test_the_list_asks_before_revoking(editor_client, shared, roadmap):
    link, _ = shared
    page = editor_client.get(reverse("roadmap:roadmap_share", args=[roadmap.pk])).text
    revoke = reverse("roadmap:share_link_revoke", args=[link.pk])
    # No one-click revocation: the row links to the confirmation (a dialog with JS).
    assert f'action="{revoke}"' not in page
    assert f'hx-post="{revoke}"' not in page
    assert f'href="{revoke}" data-dialog="{revoke}"' in page


def test_revoking_an_already_revoked_link_says_so(editor_client, shared):
    link, _ = shared
    link.revoke()
    response = editor_client.get(reverse("roadmap:share_link_revoke", args=[link.pk]))
    assert "already revoked" in response.text
    assert "Revoke?" not in response.text


def test_viewer_and_outsider_cannot_open_the_confirmation(viewer_client, outsider_client, shared):
    link, _ = shared
    url = reverse("roadmap:share_link_revoke", args=[link.pk])
    assert viewer_client.get(url).status_code == 403
    assert outsider_client.get(url).status_code == 404


def test_a_link_opened_again_within_the_minute_is_not_written_again(
    shared, django_assert_num_queries
):
    """The share page at scale: readers of one link must not queue on its row's lock."""
    link, token = shared
    url = reverse("roadmap:shared_roadmap", args=[token])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        Client().get(url)
    later = time_machine.travel(start + timedelta(seconds=59), tick=False)
    # The link (+roadmap, org), no transaction, no write.
    with later, django_assert_num_queries(1):
        assert Client().get(url).status_code == 200
    link.refresh_from_db()
    assert link.last_used_at == start
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        Client().get(url)
    link.refresh_from_db()
    assert link.last_used_at == start + timedelta(minutes=2)
