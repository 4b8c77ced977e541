"""Sign-up, sign-in/out through the real login form, password reset."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from roadmap_site.models import Membership, Organization, Person, Role, User
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "name": "Maya Okafor",
    "email": "Maya@Northwind.example",
    "password": "a-long-and-unusual-passphrase",
    "org_name": "Northwind Global",
}


def signed_in_user_id(client: Client):
    return client.session.get(SESSION_KEY)


def test_signup_creates_user_org_admin_membership_and_person(client):
    response = client.post(reverse("signup"), SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get()
    assert user.email == "maya@northwind.example"
    assert user.name == "Maya Okafor"
    assert user.check_password(SIGNUP["password"])
    org = Organization.objects.get()
    assert org.name == "Northwind Global"
    assert org.slug == "northwind-global"
    membership = Membership.objects.get()
    assert (membership.org, membership.user, membership.role) == (org, user, Role.ADMIN)
    person = Person.objects.get()
    assert (person.org, person.user, person.name, person.email) == (
        org,
        user,
        "Maya Okafor",
        "maya@northwind.example",
    )
    assert person.is_ld_team
    assert str(signed_in_user_id(client)) == str(user.pk)
    # Signed in, with an organisation: home leads to the roadmaps.
    assert client.get(reverse("home"))["Location"] == reverse("roadmap:roadmap_list")


def test_signup_page_renders_for_anonymous(client):
    response = client.get(reverse("signup"))
    assert response.status_code == 200
    assert 'name="org_name"' in response.text


def test_signup_when_signed_in_redirects_home(editor_client, row_counts):
    before = row_counts()
    response = editor_client.post(reverse("signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert row_counts() == before


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "taken@example.com"}, "email", "already exists"),
        ({"email": "TAKEN@example.com"}, "email", "already exists"),
        ({"password": "password"}, "password", "too common"),
        ({"password": "short"}, "password", "too short"),
        ({"password": "48213957260"}, "password", "entirely numeric"),
        ({"org_name": ""}, "org_name", "required"),
        ({"email": "not-an-address"}, "email", "valid email"),
    ],
)
def test_signup_errors_write_nothing(client, row_counts, change, field, message):
    UserFactory(email="taken@example.com")
    before = row_counts()

    response = client.post(reverse("signup"), {**SIGNUP, **change})

    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert row_counts() == before
    assert signed_in_user_id(client) is None


def test_login_with_email_through_the_real_form(client):
    user = UserFactory(email="maya@northwind.example")
    MembershipFactory(user=user)
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert 'name="username"' in page.text
    assert 'type="email"' in page.text

    response = client.post(
        reverse("login"), {"username": "maya@northwind.example", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert str(signed_in_user_id(client)) == str(user.pk)


def test_login_with_the_address_as_typed_at_signup(client):
    """Sign-up stores the address lower-cased; signing in with it as typed must work."""
    client.post(reverse("signup"), SIGNUP)
    client.post(reverse("logout"))
    assert signed_in_user_id(client) is None

    response = client.post(
        reverse("login"), {"username": SIGNUP["email"], "password": SIGNUP["password"]}
    )

    assert response.status_code == 302
    assert str(signed_in_user_id(client)) == str(User.objects.get().pk)


def test_login_follows_next(client):
    UserFactory(email="maya@northwind.example")
    target = reverse("roadmap:roadmap_list")
    response = client.post(
        reverse("login"),
        {"username": "maya@northwind.example", "password": PASSWORD, "next": target},
    )
    assert response["Location"] == target


def test_login_with_wrong_password_fails(client):
    UserFactory(email="maya@northwind.example")
    response = client.post(
        reverse("login"), {"username": "maya@northwind.example", "password": "wrong"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert signed_in_user_id(client) is None


def test_logout_by_post(editor_client):
    assert signed_in_user_id(editor_client) is not None
    response = editor_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert signed_in_user_id(editor_client) is None
    assert editor_client.get(reverse("roadmap:roadmap_list")).status_code == 302


def test_password_reset_mail_link_sets_a_new_password(client, mailoutbox):
    user = UserFactory(email="maya@northwind.example")

    response = client.post(reverse("password_reset"), {"email": "maya@northwind.example"})

    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["maya@northwind.example"]
    link = re.search(r"https?://testserver(/accounts/reset/\S+/)", mail.body)
    assert link is not None

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    saved = client.post(
        set_password_url,
        {"new_password1": "another-long-passphrase", "new_password2": "another-long-passphrase"},
    )

    assert saved.status_code == 302
    assert saved["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase")
    assert not user.check_password(PASSWORD)
    # The link is single-use.
    reused = client.get(link.group(1), follow=True)
    assert reused.context["validlink"] is False


def test_password_reset_for_unknown_address_sends_nothing(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mailoutbox == []


def test_user_without_membership_is_sent_to_org_create(client):
    user = UserFactory(email="lonely@example.com")
    client.force_login(user)
    for url in (
        reverse("home"),
        reverse("roadmap:roadmap_list"),
        reverse("members"),
        reverse("people"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("org_create"), url


def test_org_create_makes_admin_membership_and_switches(editor_client, editor_membership):
    response = editor_client.post(
        reverse("org_create"), {"name": "Second team", "fiscal_year_start_month": 4}
    )
    assert response.status_code == 302
    org = Organization.objects.get(name="Second team")
    assert org.fiscal_year_start_month == 4
    membership = Membership.objects.get(org=org, user=editor_membership.user)
    assert membership.role == Role.ADMIN
    assert Person.objects.filter(org=org, user=editor_membership.user).exists()
    # The new organisation is now the current one.
    page = editor_client.get(reverse("members"))
    assert page.context["current_org"] == org


def test_org_create_invalid_writes_nothing(editor_client, row_counts):
    before = row_counts()
    response = editor_client.post(reverse("org_create"), {"name": "", "fiscal_year_start_month": 1})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert row_counts() == before
