"""An invitation binds to the address it was sent to; admins resend and revoke it.

Before: whoever opened the link could sign up with any address and take the role, and a
signed-in member of another address could POST the link and burn it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from roadmap_site.models import Invitation, Membership, Role, User
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSPHRASE = "a-long-and-unusual-passphrase"


def invite(client: Client, email: str, role: str = Role.ADMIN):
    return client.post(reverse("member_invite"), {"email": email, "role": role})


def token_from(mail) -> str:
    match = re.search(r"/invite/([^/\s]+)/", mail.body)
    assert match is not None, mail.body
    return match.group(1)


@pytest.fixture
def admin_invite(admin_client, mailoutbox):
    """An admin invites invitee@example.com as admin; returns the token from the mail."""
    invite(admin_client, "Invitee@Example.com")
    return token_from(mailoutbox[-1])


def test_signup_through_the_link_with_another_address_gets_the_invited_one(admin_invite, org):
    client = Client()
    page = client.get(reverse("invite_accept", args=[admin_invite]))
    assert page.status_code == 200
    # Pre-filled and locked.
    assert 'value="invitee@example.com"' in page.text
    assert re.search(r'<input[^>]*name="email"[^>]*disabled', page.text)

    response = client.post(
        reverse("invite_accept", args=[admin_invite]),
        {"name": "Mallory", "email": "mallory@evil.example", "password": PASSPHRASE},
    )

    assert response.status_code == 302
    assert not User.objects.filter(email="mallory@evil.example").exists()
    user = User.objects.get(email="invitee@example.com")
    assert Membership.objects.get(org=org, user=user).role == Role.ADMIN


def test_signed_in_with_another_address_sees_why_and_the_invitation_stays_open(
    admin_invite, viewer_membership, org
):
    client = Client()
    client.force_login(viewer_membership.user)

    page = client.get(reverse("invite_accept", args=[admin_invite]))
    post = client.post(reverse("invite_accept", args=[admin_invite]))

    for response in (page, post):
        assert response.status_code == 403
        assert "This invitation was sent to i…@example.com" in response.text
        assert "sign out and sign in as that address" in response.text
        assert "invitee@example.com" not in response.text
    viewer_membership.refresh_from_db()
    assert viewer_membership.role == Role.VIEWER
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is None
    # The invited person can still accept.
    invitee = UserFactory(email="invitee@example.com")
    rightful = Client()
    rightful.force_login(invitee)
    assert rightful.post(reverse("invite_accept", args=[admin_invite])).status_code == 302
    assert Membership.objects.get(org=org, user=invitee).role == Role.ADMIN


def test_the_invited_address_matches_whatever_its_case(admin_client, mailoutbox, org):
    invite(admin_client, "new.hire@example.com", Role.EDITOR)
    token = token_from(mailoutbox[-1])
    user = UserFactory(email="new.hire@example.com")
    # An account stored before addresses were lower-cased.
    User.objects.filter(pk=user.pk).update(email="New.Hire@Example.com")
    client = Client()
    client.force_login(User.objects.get(pk=user.pk))
    assert client.post(reverse("invite_accept", args=[token])).status_code == 302
    assert Membership.objects.get(org=org, user=user).role == Role.EDITOR


def test_accepting_is_single_use(admin_invite, org):
    invitee = UserFactory(email="invitee@example.com")
    client = Client()
    client.force_login(invitee)
    assert client.post(reverse("invite_accept", args=[admin_invite])).status_code == 302
    Membership.objects.filter(org=org, user=invitee).update(role=Role.VIEWER)

    again = client.post(reverse("invite_accept", args=[admin_invite]))

    assert again.status_code == 404
    assert Membership.objects.get(org=org, user=invitee).role == Role.VIEWER


def test_admin_sees_pending_invitations_with_resend_and_revoke(admin_client, admin_invite):
    invitation = Invitation.objects.get()
    page = admin_client.get(reverse("members"))
    assert "invitee@example.com" in page.text
    assert f'action="{reverse("invitation_resend", args=[invitation.pk])}"' in page.text
    assert f'action="{reverse("invitation_revoke", args=[invitation.pk])}"' in page.text


def test_resend_issues_a_new_link_and_expiry_and_the_old_link_stops(
    admin_client, admin_invite, mailoutbox
):
    invitation = Invitation.objects.get()
    later = timezone.now() + timedelta(days=5)
    with time_machine.travel(later, tick=False):
        response = admin_client.post(reverse("invitation_resend", args=[invitation.pk]))
    assert response.status_code == 302
    assert len(mailoutbox) == 2
    assert mailoutbox[-1].to == ["invitee@example.com"]
    new_token = token_from(mailoutbox[-1])
    assert new_token != admin_invite
    invitation.refresh_from_db()
    assert invitation.expires_at == later + Invitation.VALID_FOR

    assert Client().get(reverse("invite_accept", args=[admin_invite])).status_code == 404
    # Past the first expiry, the new link still works.
    with time_machine.travel(later + timedelta(days=6)):
        assert Client().get(reverse("invite_accept", args=[new_token])).status_code == 200


def test_revoke_stops_the_link(admin_client, admin_invite):
    invitation = Invitation.objects.get()
    response = admin_client.post(reverse("invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    page = Client().get(reverse("invite_accept", args=[admin_invite]))
    assert page.status_code == 404
    assert list(admin_client.get(reverse("members")).context["invitations"]) == []
    assert Invitation.objects.get().revoked_at is not None


@pytest.mark.parametrize("action", ["invitation_resend", "invitation_revoke"])
def test_only_admins_of_the_organisation_resend_or_revoke(
    request, action, admin_invite, mailoutbox
):
    invitation = Invitation.objects.get()
    sent = len(mailoutbox)
    before = Invitation.objects.values().get()
    for who, status in [
        ("editor_client", 403),
        ("viewer_client", 403),
        ("outsider_client", 404),
    ]:
        client = request.getfixturevalue(who)
        assert client.post(reverse(action, args=[invitation.pk])).status_code == status, who
    assert Invitation.objects.values().get() == before
    assert len(mailoutbox) == sent
    assert Client().get(reverse("invite_accept", args=[admin_invite])).status_code == 200


def test_outsider_admin_gets_404_for_another_organisations_invitation(
    outsider_client, admin_invite
):
    invitation = Invitation.objects.get()
    response = outsider_client.post(reverse("invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 404
    assert Invitation.objects.get().revoked_at is None


def test_invitee_can_still_join_another_org_they_are_already_signed_into(
    admin_invite, other_org, org
):
    """Someone already in another organisation, signed in with the invited address."""
    invitee = MembershipFactory(org=other_org, user__email="invitee@example.com").user
    client = Client()
    client.force_login(invitee)
    assert client.post(reverse("invite_accept", args=[admin_invite])).status_code == 302
    assert Membership.objects.filter(org=org, user=invitee).exists()
