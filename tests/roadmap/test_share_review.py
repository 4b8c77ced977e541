"""The Share phase as a review: scoped, password-protected links; reviewers' answers and
comments through a link; the team's triage; the senior touchpoint; the batched e-mail."""

from __future__ import annotations

import re
from datetime import timedelta
from smtplib import SMTPRecipientsRefused

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from measurement.models import Forum, Touchpoint
from roadmap import reviews
from roadmap.models import (
    Feedback,
    InitiativeStatus,
    ShareLink,
    ShareReview,
    TriageState,
)
from roadmap.models.review import FEEDBACK_MAX_CHARS
from roadmap_site.models import Membership
from tests.conftest import HTMX
from tests.factories import (
    InitiativeFactory,
    PersonFactory,
    PriorityFactory,
    RoadmapFactory,
    StageFactory,
    StrategyFactory,
    TrainingRequestFactory,
)

pytestmark = pytest.mark.django_db

ANSWERS = {
    "problems": "Yes, onboarding is the right problem.",
    "audiences": "Managers first, then new hires.",
    "constraints": "The ERP migration takes every manager's time in Q2.",
}


def url(name: str, token: str, *args) -> str:
    return reverse(f"roadmap:{name}", args=[token, *args])


@pytest.fixture
def scene(org, roadmap, editor_membership):
    """Two priorities, an initiative serving each (committed, in Q1 and Q2), one proposal,
    one stopped initiative, and an initiative of another roadmap."""
    q1, q2 = list(roadmap.cycles.all())[:2]
    strategy = StrategyFactory(org=org, fiscal_year=roadmap.fiscal_year)
    managers = PriorityFactory(strategy=strategy, capability="Grow first-time managers")
    sales = PriorityFactory(strategy=strategy, capability="Ramp up sales faster")
    toolkit = InitiativeFactory(
        roadmap=roadmap,
        title="Manager onboarding toolkit",
        cycle=q1,
        priority=managers,
        status=InitiativeStatus.COMMITTED,
    )
    academy = InitiativeFactory(
        roadmap=roadmap,
        title="Sales academy refresh",
        cycle=q2,
        priority=sales,
        status=InitiativeStatus.COMMITTED,
    )
    proposal = InitiativeFactory(
        roadmap=roadmap, title="VR safety simulation", cycle=q1, status=InitiativeStatus.PROPOSED
    )
    stopped = InitiativeFactory(roadmap=roadmap, title="Legacy LMS", status="stopped")
    elsewhere = InitiativeFactory(org=org, title="Other roadmap's work", status="committed")
    return {
        "q1": q1,
        "q2": q2,
        "managers": managers,
        "sales": sales,
        "toolkit": toolkit,
        "academy": academy,
        "proposal": proposal,
        "stopped": stopped,
        "elsewhere": elsewhere,
        "by": editor_membership.user,
    }


def issue(scene, roadmap, **options):
    options.setdefault("allow_feedback", True)
    return ShareLink.issue(roadmap=roadmap, created_by=scene["by"], **options)


def start_review(client: Client, token: str, **data) -> object:
    payload = {"name": "Elena Rossi", "email": "elena@northwind.test", **ANSWERS, **data}
    return client.post(url("shared_review", token), payload)


# Scope ------------------------------------------------------------------------------------


def test_a_link_scoped_to_a_priority_shows_only_its_initiatives(scene, roadmap):
    _link, token = issue(scene, roadmap, priorities=[scene["managers"]])
    body = Client().get(url("shared_roadmap", token)).text
    assert "Manager onboarding toolkit" in body
    assert "Sales academy refresh" not in body
    assert "Ramp up sales faster" not in body  # nor the other priority
    assert "initiatives serving “Grow first-time managers”" in body


def test_a_link_scoped_to_a_priority_shows_only_its_not_doing(scene, roadmap, org):
    """Declined requests of other priorities, and dropped options (which serve no priority),
    stay off a priority's link; the whole roadmap's link shows them."""
    for title, priority in [
        ("MANAGERS-DECLINED coaching app", scene["managers"]),
        ("SALES-DECLINED pitch lab", scene["sales"]),
    ]:
        TrainingRequestFactory(
            org=org, title=title, priority=priority, state="declined",
            decided_at=timezone.make_aware(timezone.datetime(2027, 1, 20, 9)),
            decision_reason="Not this year.",
        )  # fmt: skip
    roadmap.not_doing.create(
        org=org, title="DROPPED-OPTION chatbot", reason="Too early.", cycle=scene["q1"]
    )
    _link, token = issue(scene, roadmap, priorities=[scene["managers"]])
    body = Client().get(url("shared_roadmap", token)).text
    assert "MANAGERS-DECLINED" in body
    assert "SALES-DECLINED" not in body and "DROPPED-OPTION" not in body
    _whole, whole_token = issue(scene, roadmap)
    whole = Client().get(url("shared_roadmap", whole_token)).text
    assert "SALES-DECLINED" in whole and "DROPPED-OPTION" in whole


def test_a_link_scoped_to_a_cycle_shows_only_that_cycle(scene, roadmap):
    _link, token = issue(scene, roadmap, cycles=[scene["q2"]])
    body = Client().get(url("shared_roadmap", token)).text
    assert "Sales academy refresh" in body
    assert "Manager onboarding toolkit" not in body
    assert scene["q1"].name not in body


@pytest.mark.parametrize("other", ["academy", "proposal", "stopped", "elsewhere"])
def test_no_initiative_outside_the_scope_is_reachable_by_id(scene, roadmap, other):
    _link, token = issue(scene, roadmap, priorities=[scene["managers"]])
    client = Client()
    start_review(client, token)
    inside = client.get(url("shared_initiative", token, scene["toolkit"].pk))
    assert inside.status_code == 200
    target = scene[other].pk
    assert client.get(url("shared_initiative", token, target)).status_code == 404
    posted = client.post(
        url("shared_initiative", token, target), {"kind": "concern", "text": "Guessed an id."}
    )
    assert posted.status_code == 404
    assert not Feedback.objects.filter(initiative_id=target).exists()


def test_ids_that_do_not_exist_are_404_too(scene, roadmap):
    _link, token = issue(scene, roadmap)
    assert Client().get(url("shared_initiative", token, 999_999)).status_code == 404


def test_a_link_without_feedback_has_no_comment_pages(scene, roadmap):
    _link, token = issue(scene, roadmap, allow_feedback=False)
    body = Client().get(url("shared_roadmap", token)).text
    assert "<form" not in body
    assert "Comment on" not in body
    assert Client().get(url("shared_initiative", token, scene["toolkit"].pk)).status_code == 404
    assert start_review(Client(), token).status_code == 403
    assert not ShareReview.objects.exists()


# Password -----------------------------------------------------------------------------------


def test_a_password_link_asks_first_and_remembers_a_right_password(scene, roadmap):
    link, token = issue(scene, roadmap, password="correct horse")
    assert "correct horse" not in link.password_hash
    client = Client()
    first = client.get(url("shared_roadmap", token))
    assert first.status_code == 200
    assert "protected by a password" in first.text
    assert "Manager onboarding toolkit" not in first.text
    # Nothing under the link opens without it either.
    assert "protected" in client.get(url("shared_initiative", token, scene["toolkit"].pk)).text

    wrong = client.post(url("shared_unlock", token), {"password": "wrong horse"})
    assert wrong.status_code == 400
    assert "not the password" in wrong.text

    right = client.post(url("shared_unlock", token), {"password": "correct horse"})
    assert right.status_code == 302
    cookie = right.cookies["share_unlock"]
    assert cookie["path"] == url("shared_roadmap", token)
    assert cookie["httponly"]
    assert "Manager onboarding toolkit" in client.get(url("shared_roadmap", token)).text
    # Another browser still has to know it.
    assert "protected by a password" in Client().get(url("shared_roadmap", token)).text


def test_an_unlock_cookie_of_another_link_does_not_open_this_one(scene, roadmap):
    _first, first_token = issue(scene, roadmap, password="correct horse")
    _second, second_token = issue(scene, roadmap, password="correct horse")
    client = Client()
    client.post(url("shared_unlock", first_token), {"password": "correct horse"})
    forged = client.cookies["share_unlock"].value
    other = Client()
    other.cookies["share_unlock"] = forged
    page = other.get(url("shared_roadmap", second_token)).text
    assert "protected by a password" in page


@pytest.fixture
def limits_on(settings):
    settings.RATELIMIT_ENABLE = True
    cache.clear()
    with time_machine.travel(timezone.now(), tick=False):
        yield
    cache.clear()


def test_password_tries_are_limited_per_link_and_ip(scene, roadmap, limits_on, settings):
    settings.SHARE_PASSWORD_RATE = "3/h"
    _link, token = issue(scene, roadmap, password="correct horse")
    _other, other_token = issue(scene, roadmap, password="correct horse")
    client = Client()
    tries = [
        client.post(url("shared_unlock", token), {"password": f"guess {n}"}).status_code
        for n in range(3)
    ]
    assert tries == [400, 400, 400]
    # The fourth try is refused even with the right password.
    blocked = client.post(url("shared_unlock", token), {"password": "correct horse"})
    assert blocked.status_code == 429
    assert "share_unlock" not in blocked.cookies
    # Another link, or another address, has its own budget.
    assert client.post(url("shared_unlock", other_token), {"password": "x"}).status_code == 400
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    ok = elsewhere.post(url("shared_unlock", token), {"password": "correct horse"})
    assert ok.status_code == 302


# Expiry, revocation, views ------------------------------------------------------------------


def test_revoking_takes_effect_on_the_next_request(scene, roadmap, editor_client):
    link, token = issue(scene, roadmap)
    client = Client()
    start_review(client, token)
    assert client.get(url("shared_roadmap", token)).status_code == 200
    editor_client.post(reverse("roadmap:share_link_revoke", args=[link.pk]))
    for response in (
        client.get(url("shared_roadmap", token)),
        client.get(url("shared_initiative", token, scene["toolkit"].pk)),
        client.post(
            url("shared_initiative", token, scene["toolkit"].pk),
            {"kind": "agree", "text": "Late comment"},
        ),
        start_review(client, token),
    ):
        assert response.status_code == 404
    assert not Feedback.objects.filter(text="Late comment").exists()


def test_an_expired_link_opens_nothing_under_it(scene, roadmap):
    _link, token = issue(scene, roadmap, expires_at=timezone.now() + timedelta(days=1))
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert Client().get(url("shared_roadmap", token)).status_code == 404
        assert start_review(Client(), token).status_code == 404


def test_views_are_counted_and_written_once_a_minute(scene, roadmap, editor_client):
    link, token = issue(scene, roadmap, allow_feedback=False)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        Client().get(url("shared_roadmap", token))
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        for _ in range(3):
            Client().get(url("shared_roadmap", token))
    link.refresh_from_db()
    assert link.view_count == 1  # written with the first view only
    # The Share page adds what the cache holds: every view counts.
    page = editor_client.get(reverse("roadmap:roadmap_share", args=[roadmap.pk]))
    assert page.context["share_links"][0].views == 4
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        Client().get(url("shared_roadmap", token))
    link.refresh_from_db()
    assert link.view_count == 5
    assert link.last_used_at == start + timedelta(minutes=2)


# What a reader never sees -------------------------------------------------------------------

MARKERS = {
    "budget": "918273",
    "days": "8642",
    "reuses": "MARKER-REUSES-vendor-contract",
    "stage_notes": "MARKER-STAGE-GOOD-ENOUGH",
    "evidence": "MARKER-EVIDENCE-NOTES",
    "requester": "marker.requester@northwind.test",
    "other_review": "MARKER-OTHER-REVIEWER-TEXT",
    "other_answer": "MARKER-TEAM-ANSWER-TO-SOMEONE-ELSE",
}


def test_internal_fields_and_other_reviewers_feedback_are_never_rendered(
    scene, roadmap, org, editor_membership
):
    toolkit = scene["toolkit"]
    toolkit.budget, toolkit.days, toolkit.reuses = 918273, 8642, MARKERS["reuses"]
    toolkit.save()
    StageFactory(initiative=toolkit, good_enough=MARKERS["stage_notes"])
    request = TrainingRequestFactory(
        org=org,
        title="Excel for finance",
        requester_email=MARKERS["requester"],
        evidence_notes=MARKERS["evidence"],
    )
    request.decline(reason="A tools problem.", by=editor_membership.user)
    link, token = issue(scene, roadmap, include_proposed=True)
    someone = reviews.submit_review(
        link=link, name="Someone Else", email="else@x.test", answers={"problems": "x"}
    )
    comment = reviews.add_comment(
        review=someone, initiative=toolkit, kind="concern", text=MARKERS["other_review"]
    )
    comment.triage(state=TriageState.DECLINED, answer=MARKERS["other_answer"], by=None)

    client = Client()
    start_review(client, token)
    pages = [
        client.get(url("shared_roadmap", token)).text,
        client.get(url("shared_initiative", token, toolkit.pk)).text,
        Client().get(url("shared_roadmap", token)).text,
    ]
    for page in pages:
        for name, marker in MARKERS.items():
            assert marker not in page, name
        assert "else@x.test" not in page
    assert "Manager onboarding toolkit" in pages[0]  # the page is there, without them


# Review and comments --------------------------------------------------------------------------


def test_a_reviewer_answers_comments_and_reads_the_answer(scene, roadmap, editor_client):
    _link, token = issue(scene, roadmap)
    reviewer = Client()
    page = reviewer.get(url("shared_roadmap", token)).text
    for question in (
        "Are we solving the right problems?",
        "Are we prioritising the right audiences?",
        "What constraints have we missed?",
    ):
        assert question in page

    sent = start_review(reviewer, token)
    assert sent.status_code == 302
    review = ShareReview.objects.get()
    assert (review.name, review.email) == ("Elena Rossi", "elena@northwind.test")
    assert set(review.feedback.values_list("question", flat=True)) == set(ANSWERS)
    toolkit = scene["toolkit"]
    commented = reviewer.post(
        url("shared_initiative", token, toolkit.pk),
        {"kind": "concern", "text": "Q2 is too late for the new managers."},
    )
    assert commented.status_code == 302
    comment = Feedback.objects.get(initiative=toolkit)
    assert comment.kind == "concern"

    triaged = editor_client.post(
        reverse("roadmap:feedback_triage", args=[comment.pk]),
        {"state": "declined", "answer": "The toolkit needs the Q1 pilot's results first."},
    )
    assert triaged.status_code == 302
    back = reviewer.get(url("shared_roadmap", token)).text
    assert "Your review" in back
    assert "The toolkit needs the Q1 pilot&#x27;s results first." in back
    assert "Declined" in back
    assert 'name="email"' not in back  # no second form: the reviewer is remembered


def test_one_reviewer_never_reads_another_reviewers_feedback(scene, roadmap):
    _link, token = issue(scene, roadmap)
    first, second = Client(), Client()
    start_review(first, token, problems="FIRST-REVIEWER-ONLY")
    start_review(second, token, name="Aisha Bello", email="aisha@x.test", problems="SECOND")
    assert "FIRST-REVIEWER-ONLY" not in second.get(url("shared_roadmap", token)).text
    assert "FIRST-REVIEWER-ONLY" in first.get(url("shared_roadmap", token)).text
    # A forged cookie (another review's id, unsigned) is ignored.
    forged = Client()
    forged.cookies["share_review"] = str(ShareReview.objects.get(email="elena@northwind.test").pk)
    assert "FIRST-REVIEWER-ONLY" not in forged.get(url("shared_roadmap", token)).text


def test_a_review_cookie_of_one_link_does_not_open_another(scene, roadmap):
    _first, first_token = issue(scene, roadmap)
    _second, second_token = issue(scene, roadmap)
    client = Client()
    start_review(client, first_token, problems="ON-THE-FIRST-LINK")
    # The cookie's path is the first link's: the second link's page has the form.
    page = client.get(url("shared_roadmap", second_token)).text
    assert "ON-THE-FIRST-LINK" not in page
    assert 'name="email"' in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": ""}, "This field is required."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"problems": "", "audiences": "", "constraints": "  "}, "Answer at least one"),
        ({"problems": "x" * (FEEDBACK_MAX_CHARS + 1)}, "at most 2000 characters"),
        ({"name": "n" * 121}, "at most 120 characters"),
    ],
)
def test_a_refused_review_says_why_and_writes_nothing(scene, roadmap, row_counts, data, error):
    _link, token = issue(scene, roadmap)
    before = row_counts()
    response = start_review(Client(), token, **data)
    assert response.status_code == 400
    assert error in response.text
    assert row_counts() == before


@pytest.mark.parametrize(
    "data",
    [{"kind": "", "text": "x"}, {"kind": "agree", "text": ""}, {"kind": "love", "text": "x"}],
)
def test_a_refused_comment_writes_nothing(scene, roadmap, data):
    _link, token = issue(scene, roadmap)
    client = Client()
    start_review(client, token)
    response = client.post(url("shared_initiative", token, scene["toolkit"].pk), data)
    assert response.status_code == 400
    assert not Feedback.objects.filter(initiative__isnull=False).exists()


def test_a_comment_needs_a_review_first(scene, roadmap):
    _link, token = issue(scene, roadmap)
    client = Client()
    page = client.get(url("shared_initiative", token, scene["toolkit"].pk)).text
    assert "Start with your review" in page
    posted = client.post(
        url("shared_initiative", token, scene["toolkit"].pk), {"kind": "agree", "text": "x"}
    )
    assert posted.status_code == 302
    assert not Feedback.objects.exists()


def test_the_honeypot_keeps_nothing(scene, roadmap):
    _link, token = issue(scene, roadmap)
    client = Client()
    response = start_review(client, token, website="http://spam.example")
    assert response.status_code == 302
    assert not ShareReview.objects.exists()
    assert "share_review" not in response.cookies


def test_reviews_and_comments_are_limited_per_link_and_ip(scene, roadmap, limits_on, settings):
    settings.SHARE_FEEDBACK_RATE = "3/h"
    _link, token = issue(scene, roadmap)
    client = Client()
    assert start_review(client, token).status_code == 302
    target = url("shared_initiative", token, scene["toolkit"].pk)
    statuses = [
        client.post(target, {"kind": "agree", "text": f"c{n}"}).status_code for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert Feedback.objects.filter(initiative__isnull=False).count() == 2
    # Reading is not limited by it.
    assert client.get(url("shared_roadmap", token)).status_code == 200


def test_csrf_protects_the_anonymous_review(scene, roadmap):
    _link, token = issue(scene, roadmap)
    client = Client(enforce_csrf_checks=True)
    refused = start_review(client, token)
    assert refused.status_code == 403
    page = client.get(url("shared_roadmap", token)).text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    accepted = start_review(client, token, csrfmiddlewaretoken=csrf)
    assert accepted.status_code == 302
    assert ShareReview.objects.count() == 1


def test_the_cached_body_carries_no_visitors_token(scene, roadmap):
    """Two visitors get the same cached body, each with their own CSRF token in the form."""
    _link, token = issue(scene, roadmap)
    first = Client().get(url("shared_roadmap", token)).text
    second = Client().get(url("shared_roadmap", token)).text
    pattern = r'name="csrfmiddlewaretoken" value="([^"]+)"'
    assert re.search(pattern, first).group(1) != re.search(pattern, second).group(1)
    assert token not in first.replace(url("shared_roadmap", token), "")  # only in form actions


# The senior touchpoint ------------------------------------------------------------------------


def test_a_seniors_review_is_a_roadmap_review_touchpoint_once_a_day(scene, roadmap, org):
    elena = PersonFactory(
        org=org, name="Elena Rossi", email="Elena.Rossi@Northwind.test", is_senior=True
    )
    PersonFactory(org=org, name="Not Senior", email="junior@northwind.test", is_senior=False)
    _link, token = issue(scene, roadmap)
    start_review(Client(), token, email="elena.rossi@northwind.test")
    start_review(Client(), token, email="elena.rossi@northwind.test")  # again, same day
    start_review(Client(), token, email="junior@northwind.test")
    [touchpoint] = Touchpoint.objects.all()
    assert touchpoint.stakeholder == elena
    assert touchpoint.forum == Forum.ROADMAP_REVIEW
    assert touchpoint.date == timezone.localdate()
    assert roadmap.title in touchpoint.notes
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        start_review(Client(), token, email="elena.rossi@northwind.test")
    assert Touchpoint.objects.count() == 2


def test_a_senior_of_another_organisation_is_no_touchpoint(scene, roadmap, other_org):
    PersonFactory(org=other_org, email="elena@northwind.test", is_senior=True)
    _link, token = issue(scene, roadmap)
    start_review(Client(), token)
    assert not Touchpoint.objects.exists()


# The team's side ------------------------------------------------------------------------------


@pytest.fixture
def feedback(scene, roadmap):
    link, _token = issue(scene, roadmap)
    review = reviews.submit_review(
        link=link, name="Elena Rossi", email="elena@x.test", answers={"problems": "Right ones."}
    )
    comment = reviews.add_comment(
        review=review, initiative=scene["toolkit"], kind="question", text="Who pilots it?"
    )
    return {"link": link, "review": review, "comment": comment}


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
def test_members_read_the_inbox_per_question_and_initiative(client_for, roadmap, feedback, role):
    page = client_for(role).get(reverse("roadmap:roadmap_share", args=[roadmap.pk]))
    assert page.status_code == 200
    text = page.text
    assert "Are we solving the right problems?" in text
    assert "Right ones." in text
    assert "Manager onboarding toolkit" in text
    assert "Who pilots it?" in text
    triage_url = reverse("roadmap:feedback_triage", args=[feedback["comment"].pk])
    assert (triage_url in text) == (role != "viewer")


def test_outsiders_get_404_on_the_share_page_and_triage(client_for, roadmap, feedback):
    outsider = client_for("outsider")
    assert outsider.get(reverse("roadmap:roadmap_share", args=[roadmap.pk])).status_code == 404
    triage = reverse("roadmap:feedback_triage", args=[feedback["comment"].pk])
    assert outsider.post(triage, {"state": "accepted"}).status_code == 404


def test_viewers_cannot_triage(client_for, feedback):
    comment = feedback["comment"]
    response = client_for("viewer").post(
        reverse("roadmap:feedback_triage", args=[comment.pk]), {"state": "accepted"}
    )
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.state == TriageState.OPEN


def test_declining_needs_an_answer(editor_client, feedback):
    comment = feedback["comment"]
    response = editor_client.post(
        reverse("roadmap:feedback_triage", args=[comment.pk]), {"state": "declined"}, **HTMX
    )
    assert response.status_code == 200  # the fragment with its error, for htmx to swap
    assert "Say why you decline it" in response.text
    comment.refresh_from_db()
    assert comment.state == TriageState.OPEN


def test_accepting_by_htmx_answers_the_fragment(editor_client, editor_membership, feedback):
    comment = feedback["comment"]
    response = editor_client.post(
        reverse("roadmap:feedback_triage", args=[comment.pk]),
        {"state": "accepted", "answer": "Priya pilots it in March."},
        **HTMX,
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'id="feedback-{comment.pk}"' in response.text
    comment.refresh_from_db()
    assert (comment.state, comment.answer) == ("accepted", "Priya pilots it in March.")
    assert comment.answered_by == editor_membership.user


def test_tampered_triage_state_is_refused(editor_client, feedback):
    response = editor_client.post(
        reverse("roadmap:feedback_triage", args=[feedback["comment"].pk]), {"state": "deleted"}
    )
    assert response.status_code == 400


def test_the_create_form_makes_a_scoped_password_link(editor_client, roadmap, scene):
    response = editor_client.post(
        reverse("roadmap:share_link_create", args=[roadmap.pk]),
        {
            "label": "Q1 review",
            "audience": "HRBPs EMEA",
            "password": "long enough pw",
            "priorities": [scene["managers"].pk],
            "cycles": [scene["q1"].pk],
            "allow_feedback": "on",
        },
        **HTMX,
    )
    assert response.status_code == 200
    link = ShareLink.objects.get()
    assert (link.label, link.audience, link.allow_feedback) == ("Q1 review", "HRBPs EMEA", True)
    assert link.check_password("long enough pw")
    assert link.scope_ids() == ([scene["managers"].pk], [scene["q1"].pk])
    assert "Grow first-time managers" in response.text  # the list says what it shows


@pytest.mark.parametrize(
    "data",
    [
        {"password": "short"},
        {"priorities": ["999999"]},
        {"cycles": ["999999"]},
    ],
)
def test_the_create_form_refuses_bad_input(editor_client, roadmap, scene, row_counts, data):
    before = row_counts()
    response = editor_client.post(reverse("roadmap:share_link_create", args=[roadmap.pk]), data)
    assert response.status_code == 400
    assert row_counts() == before


def test_another_roadmaps_cycle_cannot_scope_a_link(editor_client, roadmap, org, scene):
    from tests.factories import RoadmapFactory

    other = RoadmapFactory(org=org, title="Other")
    response = editor_client.post(
        reverse("roadmap:share_link_create", args=[roadmap.pk]),
        {"cycles": [other.cycles.first().pk]},
    )
    assert response.status_code == 400
    assert not ShareLink.objects.exists()


# The batched e-mail ---------------------------------------------------------------------------


def test_new_feedback_is_mailed_to_the_roadmap_owner_once(scene, roadmap, org, admin_membership):
    owner = scene["by"]
    roadmap.created_by = owner
    roadmap.save()
    link, _token = issue(scene, roadmap)
    for name in ("Elena", "Aisha"):
        reviews.submit_review(
            link=link, name=name, email=f"{name}@x.test", answers={"problems": f"From {name}"}
        )

    assert reviews.send_feedback_mail(org=org) == 1
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert "2 new pieces of roadmap feedback" in message.subject
    assert "From Elena" in message.body and "From Aisha" in message.body
    assert reverse("roadmap:roadmap_share", args=[roadmap.pk]) in message.body
    assert not Feedback.objects.to_notify().exists()
    # Sent once: the next run has nothing to say.
    assert reviews.send_feedback_mail(org=org) == 0
    assert len(mail.outbox) == 1


def test_without_an_owner_the_admins_get_it(scene, roadmap, org, admin_membership):
    roadmap.created_by = None
    roadmap.save()
    link, _token = issue(scene, roadmap)
    reviews.submit_review(link=link, name="E", email="e@x.test", answers={"problems": "p"})
    assert reviews.send_all_feedback_mail() == 1
    assert mail.outbox[0].to == ["admin@northwind.test"]


def test_an_owner_who_left_the_organisation_gets_no_more_feedback(
    scene, roadmap, org, admin_membership
):
    owner = scene["by"]
    roadmap.created_by = owner
    roadmap.save()
    Membership.objects.filter(org=org, user=owner).delete()
    link, _token = issue(scene, roadmap)
    reviews.submit_review(link=link, name="E", email="e@x.test", answers={"problems": "p"})
    assert reviews.send_feedback_mail(org=org) == 1
    assert mail.outbox[0].to == ["admin@northwind.test"]


def test_a_refused_address_neither_resends_nor_holds_back_the_others(
    scene, roadmap, org, admin_membership, monkeypatch
):
    """One message per address, marked sent as it goes; a failure is logged, not raised."""
    owner = scene["by"]
    roadmap.created_by = owner
    roadmap.save()
    second = RoadmapFactory(org=org, title="Second", created_by=None)
    for target in (roadmap, second):
        link, _token = issue(scene, target)
        reviews.submit_review(link=link, name="E", email="e@x.test", answers={"problems": "p"})
    real_send = EmailMultiAlternatives.send

    def refuse_owner(self, *args, **kwargs):
        if owner.email in self.to:
            raise SMTPRecipientsRefused({owner.email: (550, b"no such mailbox")})
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse_owner)
    assert reviews.send_all_feedback_mail() == 1
    assert [m.to for m in mail.outbox] == [["admin@northwind.test"]]
    # The admins' item is marked; the owner's waits for the next run, and only it goes again.
    assert list(Feedback.objects.to_notify().values_list("roadmap_id", flat=True)) == [roadmap.pk]
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    assert reviews.send_all_feedback_mail() == 1
    assert [m.to for m in mail.outbox] == [["admin@northwind.test"], [owner.email]]


def test_a_line_break_in_a_name_does_not_break_the_subject(scene, roadmap, org, admin_membership):
    org.name = "Northwind\nBcc: victim@example.com"
    org.save()
    roadmap.title = "Onboarding\r\nroadmap"
    roadmap.save()
    link, _token = issue(scene, roadmap)
    reviews.submit_review(link=link, name="E", email="e@x.test", answers={"problems": "p"})
    assert reviews.send_feedback_mail(org=org) == 1
    [message] = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.to == ["admin@northwind.test"] and not message.bcc


def test_pages_with_a_form_send_their_url_to_this_site_only(scene, roadmap):
    """Under "no-referrer" Chromium posts `Origin: null` and the CSRF check refuses it (the
    browser test caught it); "same-origin" still keeps the URL from other sites."""
    _link, token = issue(scene, roadmap)
    _plain, plain_token = issue(scene, roadmap, allow_feedback=False)
    _locked, locked_token = issue(scene, roadmap, password="correct horse")
    assert Client().get(url("shared_roadmap", token))["Referrer-Policy"] == "same-origin"
    assert Client().get(url("shared_roadmap", locked_token))["Referrer-Policy"] == "same-origin"
    assert Client().get(url("shared_roadmap", plain_token))["Referrer-Policy"] == "no-referrer"
    assert Client().get(url("shared_roadmap", "nope"))["Referrer-Policy"] == "no-referrer"


def test_only_the_page_itself_counts_as_a_view(scene, roadmap):
    link, token = issue(scene, roadmap)
    client = Client()
    start_review(client, token)  # a use, not a view
    client.get(url("shared_initiative", token, scene["toolkit"].pk))
    link.refresh_from_db()
    assert link.last_used_at is not None
    assert ShareLink.with_pending_views([link])[0].views == 0
    client.get(url("shared_roadmap", token))
    assert ShareLink.with_pending_views([link])[0].views == 1


def test_the_link_found_by_its_token_is_the_one_the_orm_reads(roadmap, editor_membership):
    """`find_active` reads the link, roadmap and organisation with its own SQL: every field
    must come back as the ORM gives it (SQLite returns times as text), and the expiry rule
    must be the ORM's."""
    soon = timezone.now() + timedelta(hours=1)
    link, token = ShareLink.issue(
        roadmap=roadmap,
        created_by=editor_membership.user,
        label="Board",
        expires_at=soon,
        password="s3cret!",
    )
    found = ShareLink.find_active(token)
    assert found is not None
    for model, got in (
        (ShareLink, found),
        (type(roadmap), found.roadmap),
        (type(roadmap.org), found.roadmap.org),
    ):
        want = model.objects.get(pk=got.pk)
        for field in model._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(want, field.attname), field.name
    assert found.expires_at.tzinfo is not None and found.is_active
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ShareLink.find_active(token) is None
