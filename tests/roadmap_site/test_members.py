"""Members, invitations, roles, organisation switching, people and settings."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from roadmap_site.models import (
    Invitation,
    Membership,
    Organization,
    Person,
    Role,
    User,
    hash_token,
)
from tests.factories import MembershipFactory, OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def invite(client: Client, email: str, role: str = Role.EDITOR):
    return client.post(reverse("member_invite"), {"email": email, "role": role})


def token_from(mail) -> str:
    match = re.search(r"/invite/([^/\s]+)/", mail.body)
    assert match is not None, mail.body
    return match.group(1)


def all_column_values() -> str:
    """Every text value of every row of the invitation table, joined."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Invitation._meta.db_table}")  # noqa: S608
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


# Invitations -------------------------------------------------------------------------


def test_admin_invites_by_email_and_only_the_hash_is_stored(admin_client, org, mailoutbox):
    response = invite(admin_client, "New.Hire@Example.com", Role.VIEWER)

    assert response.status_code == 302
    assert response["Location"] == reverse("members")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["new.hire@example.com"]
    assert org.name in mail.subject
    token = token_from(mail)
    assert len(token) >= 43
    invitation = Invitation.objects.get()
    assert (invitation.org, invitation.email, invitation.role) == (
        org,
        "new.hire@example.com",
        Role.VIEWER,
    )
    assert invitation.token_hash == hash_token(token)
    assert token not in all_column_values()
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    # The admin sees it pending.
    page = admin_client.get(reverse("members"))
    assert "new.hire@example.com" in page.text


def test_invite_an_existing_member_is_a_form_error(admin_client, editor_membership, row_counts):
    before = row_counts()
    response = invite(admin_client, editor_membership.user.email.upper())
    assert response.status_code == 400
    assert "already a member" in response.text
    assert row_counts() == before


def test_invite_invalid_email_writes_nothing(admin_client, row_counts, mailoutbox):
    before = row_counts()
    response = invite(admin_client, "not-an-address")
    assert response.status_code == 400
    assert row_counts() == before
    assert mailoutbox == []


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_non_admins_cannot_invite(client_for, role, row_counts, mailoutbox):
    client = client_for(role)
    before = row_counts()
    response = invite(client, "someone@example.com")
    assert response.status_code == 403
    assert row_counts() == before
    assert mailoutbox == []


def test_members_page_hides_invite_form_from_non_admins(editor_client, admin_client):
    assert 'action="/org/members/invite/"' not in editor_client.get(reverse("members")).text
    assert 'action="/org/members/invite/"' in admin_client.get(reverse("members")).text


def test_invitee_accepts_signed_in(admin_client, org, other_org, mailoutbox):
    invite(admin_client, "outsider@contoso.test", Role.VIEWER)
    token = token_from(mailoutbox[0])
    user = MembershipFactory(org=other_org, user__email="outsider@contoso.test").user
    client = Client()
    client.force_login(user)

    page = client.get(reverse("invite_accept", args=[token]))
    assert page.status_code == 200
    assert org.name in page.text
    response = client.post(reverse("invite_accept", args=[token]))

    assert response.status_code == 302
    membership = Membership.objects.get(org=org, user=user)
    assert membership.role == Role.VIEWER
    assert Invitation.objects.get().accepted_at is not None
    # The joined organisation is now the current one.
    assert client.get(reverse("members")).context["current_org"] == org
    # Used: the link no longer works.
    again = client.get(reverse("invite_accept", args=[token]))
    assert again.status_code == 404
    assert "not valid" in again.text


def test_invitee_accepts_as_a_new_user(admin_client, org, mailoutbox):
    invite(admin_client, "new.hire@example.com", Role.EDITOR)
    token = token_from(mailoutbox[0])
    client = Client()

    page = client.get(reverse("invite_accept", args=[token]))
    assert page.status_code == 200
    assert 'name="org_name"' not in page.text  # joining, not founding
    response = client.post(
        reverse("invite_accept", args=[token]),
        {
            "name": "New Hire",
            "email": "new.hire@example.com",
            "password": "a-long-and-unusual-passphrase",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.hire@example.com")
    assert str(client.session[SESSION_KEY]) == str(user.pk)
    assert Membership.objects.get(user=user).org == org
    assert Membership.objects.get(user=user).role == Role.EDITOR
    assert Organization.objects.count() == 1  # no organisation of their own
    assert Invitation.objects.get().accepted_at is not None


def test_invite_signup_with_weak_password_writes_nothing(admin_client, mailoutbox, row_counts):
    invite(admin_client, "new.hire@example.com")
    token = token_from(mailoutbox[0])
    before = row_counts()
    response = Client().post(
        reverse("invite_accept", args=[token]),
        {"name": "New Hire", "email": "new.hire@example.com", "password": "password"},
    )
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert row_counts() == before
    assert Invitation.objects.get().accepted_at is None


def test_expired_invitation_is_a_404(admin_client, mailoutbox, row_counts):
    invite(admin_client, "late@example.com")
    token = token_from(mailoutbox[0])
    before = row_counts()
    with time_machine.travel(timezone.now() + Invitation.VALID_FOR + timedelta(minutes=1)):
        page = Client().get(reverse("invite_accept", args=[token]))
        post = Client().post(
            reverse("invite_accept", args=[token]),
            {"name": "Late", "email": "late@example.com", "password": "a-long-passphrase-ok"},
        )
    assert page.status_code == 404
    assert "not valid" in page.text
    assert post.status_code == 404
    assert row_counts() == before


def test_unknown_invitation_token_is_a_404(client):
    assert client.get(reverse("invite_accept", args=["x" * 43])).status_code == 404


# Roles -----------------------------------------------------------------------------


def test_admin_changes_a_role(admin_client, editor_membership):
    response = admin_client.post(
        reverse("member_role", args=[editor_membership.pk]), {"role": Role.VIEWER}
    )
    assert response.status_code == 302
    editor_membership.refresh_from_db()
    assert editor_membership.role == Role.VIEWER


def test_unknown_role_is_refused(admin_client, editor_membership):
    response = admin_client.post(
        reverse("member_role", args=[editor_membership.pk]), {"role": "owner"}
    )
    assert response.status_code == 400
    editor_membership.refresh_from_db()
    assert editor_membership.role == Role.EDITOR


def test_last_admin_cannot_be_demoted(admin_client, admin_membership):
    response = admin_client.post(
        reverse("member_role", args=[admin_membership.pk]), {"role": Role.VIEWER}, follow=True
    )
    admin_membership.refresh_from_db()
    assert admin_membership.role == Role.ADMIN
    assert "at least one admin" in response.text


def test_an_admin_can_step_down_when_another_admin_remains(admin_client, admin_membership, org):
    MembershipFactory(org=org, role=Role.ADMIN)
    admin_client.post(reverse("member_role", args=[admin_membership.pk]), {"role": Role.EDITOR})
    admin_membership.refresh_from_db()
    assert admin_membership.role == Role.EDITOR


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_non_admins_cannot_change_roles(client_for, role, admin_membership):
    client = client_for(role)
    response = client.post(
        reverse("member_role", args=[admin_membership.pk]), {"role": Role.VIEWER}
    )
    assert response.status_code == 403
    admin_membership.refresh_from_db()
    assert admin_membership.role == Role.ADMIN


def test_outsider_cannot_change_roles_in_another_org(outsider_client, editor_membership):
    response = outsider_client.post(
        reverse("member_role", args=[editor_membership.pk]), {"role": Role.ADMIN}
    )
    assert response.status_code == 404
    editor_membership.refresh_from_db()
    assert editor_membership.role == Role.EDITOR


# Switching organisation -------------------------------------------------------------


def test_switch_to_an_own_org(editor_client, editor_membership, org):
    second = OrganizationFactory(name="Second team")
    MembershipFactory(org=second, user=editor_membership.user, role=Role.VIEWER)
    assert editor_client.get(reverse("members")).context["current_org"] == org

    response = editor_client.post(reverse("org_switch"), {"org": second.pk})

    assert response.status_code == 302
    page = editor_client.get(reverse("members"))
    assert page.context["current_org"] == second
    assert page.context["membership"].role == Role.VIEWER


def test_the_header_lists_the_other_organisations_from_the_same_query(
    editor_client, editor_membership, org
):
    """One query finds the current membership and the switcher's others
    (roadmap_site/access.py `memberships_of`), whichever the session chose."""
    second = OrganizationFactory(name="Second team")
    MembershipFactory(org=second, user=editor_membership.user, role=Role.VIEWER)
    html = editor_client.get(reverse("home"), follow=True).content.decode()
    assert ">Second team</button>" in html
    editor_client.post(reverse("org_switch"), {"org": second.pk})
    page = editor_client.get(reverse("members"))
    assert page.context["current_org"] == second
    assert [m.org for m in page.context["other_memberships"]] == [org]
    assert f">{org.name}</button>" in page.content.decode()


def test_a_removed_member_loses_the_organisation_at_once(editor_client, editor_membership, org):
    """Nothing about the membership outlives the request: the next one asks again."""
    assert editor_client.get(reverse("members")).status_code == 200
    second = OrganizationFactory(name="Second team")
    MembershipFactory(org=second, user=editor_membership.user, role=Role.VIEWER)
    editor_membership.delete()
    page = editor_client.get(reverse("members"))
    assert page.context["current_org"] == second  # the one left, not the removed one
    assert page.context["other_memberships"] == []
    assert f">{org.name}</button>" not in page.content.decode()


def test_switch_to_a_foreign_org_is_a_404(editor_client, org, other_org):
    response = editor_client.post(reverse("org_switch"), {"org": other_org.pk})
    assert response.status_code == 404
    assert editor_client.get(reverse("members")).context["current_org"] == org


def test_switch_without_org_is_a_400(editor_client):
    assert editor_client.post(reverse("org_switch"), {"org": "x"}).status_code == 400


# Organisation settings --------------------------------------------------------------


def test_admin_saves_org_settings(admin_client, org):
    response = admin_client.post(
        reverse("org_settings"), {"name": "Northwind Global", "fiscal_year_start_month": 7}
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.fiscal_year_start_month) == ("Northwind Global", 7)


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_non_admins_read_but_cannot_save_org_settings(client_for, role, org):
    client = client_for(role)
    assert client.get(reverse("org_settings")).status_code == 200
    response = client.post(
        reverse("org_settings"), {"name": "Renamed", "fiscal_year_start_month": 7}
    )
    assert response.status_code == 403
    org.refresh_from_db()
    assert (org.name, org.fiscal_year_start_month) == ("Northwind", 1)


# People -----------------------------------------------------------------------------


def test_editor_adds_a_person(editor_client, org):
    response = editor_client.post(
        reverse("people"), {"name": "Elena Rossi", "title": "VP Engineering"}
    )
    assert response.status_code == 302
    person = Person.objects.get(name="Elena Rossi")
    assert person.org == org


def test_duplicate_person_name_writes_nothing(editor_client, person, row_counts):
    before = row_counts()
    response = editor_client.post(reverse("people"), {"name": person.name.upper()})
    assert response.status_code == 400
    assert "already listed" in response.text
    assert row_counts() == before


def test_people_lists_only_own_org(editor_client, person, other_org):
    PersonFactory(org=other_org, name="Secret Contoso Person")
    page = editor_client.get(reverse("people"))
    assert person.name in page.text
    assert "Secret Contoso Person" not in page.text


def test_editor_edits_a_person(editor_client, person):
    response = editor_client.post(
        reverse("person_edit", args=[person.pk]), {"name": "Priya R.", "department": "People"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.department) == ("Priya R.", "People")
