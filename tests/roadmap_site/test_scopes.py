"""Tenancy you cannot forget: organisation-owned rows are only read inside a scope.

The autouse `_scopes_disabled` fixture (tests/conftest.py) lets test bodies build rows of
several organisations; `with scope():` here turns scoping back on with no organisation,
as every request starts. Requests through the test client get their own scope from the
middleware, which these tests prove first.
"""

from __future__ import annotations

import io
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path, reverse
from django_scopes import ScopeError, scope, scopes_disabled

from roadmap import tasks
from roadmap.forms import StageForm
from roadmap.models import (
    AssessSettings,
    CalendarFeed,
    Export,
    ExportStatus,
    Roadmap,
    ShareLink,
    Stage,
    TrainingRequest,
)
from roadmap_site.models import Invitation, Membership, Organization, OrgOwned, Person, Role
from tests.factories import (
    InitiativeFactory,
    MembershipFactory,
    PersonFactory,
    RoadmapFactory,
    StageFactory,
)

pytestmark = pytest.mark.django_db

ORG_OWNED = sorted(
    (model for model in apps.get_models() if issubclass(model, OrgOwned)),
    key=lambda model: model._meta.label,
)


# A deliberately unscoped view: it reads an organisation's rows without member_required.
def unscoped_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(Roadmap.objects.count()))


urlpatterns = [
    path("unscoped/", unscoped_view),
    path("", include("roadmap_site.urls")),
]


def test_org_owned_covers_every_model_with_an_org_foreign_key():
    """A new organisation row that forgets the base shows up here, not in production."""
    with_org = {
        model._meta.label
        for model in apps.get_models()
        if any(f.name == "org" and f.related_model is Organization for f in model._meta.fields)
        and not model.__name__.startswith("Historical")  # simple-history's copies
    }
    not_org_owned = {
        "roadmap.AssessSettings",  # a one-to-one org: the scoped manager only
        "roadmap_site.Membership",  # how a request finds its organisation: not scoped
    }
    assert with_org - not_org_owned == {model._meta.label for model in ORG_OWNED}
    assert len(ORG_OWNED) > 25  # the check sees the models, not an empty set


@pytest.mark.parametrize("model", [*ORG_OWNED, AssessSettings], ids=lambda m: m.__name__)
def test_a_query_outside_a_scope_raises(model):
    with scope(), pytest.raises(ScopeError):
        model.objects.count()
    with scope(), pytest.raises(ScopeError):
        list(model.objects.all())


def test_related_managers_are_scoped_too(roadmap):
    with scope(), pytest.raises(ScopeError):
        list(roadmap.initiatives.all())


def test_a_scoped_query_sees_only_its_organisation(org, other_org, roadmap):
    theirs = RoadmapFactory(org=other_org, title="Contoso roadmap")
    with scope(organization=org):
        assert list(Roadmap.objects.all()) == [roadmap]
        assert list(Roadmap.objects.for_org(other_org)) == []
        assert Roadmap.objects.filter(pk=theirs.pk).first() is None
        assert [c.org_id for c in roadmap.cycles.all()] == [org.pk] * 4
    with scope(organization=other_org):
        assert list(Roadmap.objects.all()) == [theirs]


def test_subclass_querysets_keep_their_methods_in_scope(org, initiative):
    with scope(organization=org):
        assert list(Stage.objects.for_org(org)) == []
        assert list(ShareLink.objects.active()) == []
        assert initiative in type(initiative).objects.for_org(org)


def test_a_form_that_forgets_its_organisation_fails_loudly(org, other_org, initiative):
    """ModelForm fields are built at import, outside any scope: their choices raise even
    inside one unless the form sets them for its organisation."""
    bare = StageForm.base_fields["assignee"]  # as Django built it, at import
    with scope(organization=org), pytest.raises(ScopeError):
        list(bare.queryset)
    PersonFactory(org=other_org, name="Somebody else")
    with scope(organization=org):
        form = StageForm(initiative=initiative)  # sets its choices for the organisation
        names = [str(label) for _, label in form.fields["assignee"].choices]
    assert initiative.owner.name in names
    assert "Somebody else" not in names


# Views run in their own scope, not the test's ------------------------------------------


@override_settings(ROOT_URLCONF=__name__)
def test_a_view_without_a_scope_raises_even_under_the_test_fixture(client):
    """The fixture's scopes_disabled() must not reach view code: the middleware starts
    every request from a fresh scope. Without that, this view would answer 200."""
    with pytest.raises(ScopeError):
        client.get("/unscoped/")


def test_member_views_open_their_organisation_scope(editor_client, roadmap, other_org):
    RoadmapFactory(org=other_org, title="Contoso secret roadmap")
    response = editor_client.get(reverse("roadmap:roadmap_list"))
    assert response.status_code == 200
    assert roadmap.title in response.content.decode()
    assert "Contoso secret roadmap" not in response.content.decode()


def test_outsider_still_gets_404_on_a_scoped_row(outsider_client, roadmap):
    response = outsider_client.get(reverse("roadmap:roadmap_detail", args=[roadmap.pk]))
    assert response.status_code == 404


# Public entry points: they find the organisation from a token or slug, then scope to it --


def test_share_link_page_works_in_its_scope(client, roadmap, editor_membership, other_org):
    RoadmapFactory(org=other_org, title="Contoso secret roadmap")
    _, token = ShareLink.issue(roadmap=roadmap, created_by=editor_membership.user)
    response = client.get(reverse("roadmap:shared_roadmap", args=[token]))
    assert response.status_code == 200
    assert roadmap.title in response.content.decode()
    assert "Contoso secret roadmap" not in response.content.decode()


def test_share_link_unknown_token_is_404(client, roadmap):
    response = client.get(reverse("roadmap:shared_roadmap", args=["nope"]))
    assert response.status_code == 404


def test_intake_form_works_in_its_scope(client, org):
    from tests.roadmap.test_assess_intake import intake_url

    response = client.get(intake_url(org))
    assert response.status_code == 200
    assert org.name in response.content.decode()


def test_intake_post_and_status_page_work_in_their_scope(client, org):
    from tests.roadmap.test_assess_intake import intake_url, status_link, valid_data

    response = client.post(intake_url(org), valid_data())
    assert response.status_code == 200
    status = client.get(status_link(response))
    assert status.status_code == 200
    assert "Support agent certification" in status.content.decode()
    assert list(org_requests(org)) == ["Support agent certification"]


def org_requests(org):
    return TrainingRequest.objects.for_org(org).values_list("title", flat=True)


def test_status_page_unknown_token_is_404(client, org):
    response = client.get(reverse("roadmap:request_status", args=["nope"]))
    assert response.status_code == 404


def test_calendar_feed_works_in_its_scope(client, org, other_org, editor_membership, initiative):
    StageFactory(initiative=initiative)
    StageFactory(
        initiative=InitiativeFactory(
            roadmap=RoadmapFactory(org=other_org),
            owner=PersonFactory(org=other_org),
            title="Contoso secret initiative",
        )
    )
    _, token = CalendarFeed.issue(org=org, user=editor_membership.user)
    response = client.get(reverse("roadmap:calendar_feed", args=[token]))
    assert response.status_code == 200
    body = response.content.decode()
    assert initiative.title in body
    assert "Contoso secret initiative" not in body


def test_invitation_pages_work_in_their_scope(client, org, admin_membership):
    invitation, token = Invitation.issue(
        org=org, email="new@northwind.test", role=Role.EDITOR, invited_by=admin_membership.user
    )
    url = reverse("invite_accept", args=[token])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"name": "New Person", "email": "new@northwind.test", "password": "a-long-pass-99"}
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert get_user_model().objects.get(email="new@northwind.test").memberships.get().org == org


def test_signup_and_org_create_work(client):
    response = client.post(
        reverse("signup"),
        {
            "name": "Ada Founder",
            "email": "ada@example.test",
            "password": "a-long-pass-99",
            "org_name": "Analytical Engines",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("org_create"), {"name": "Second Org", "fiscal_year_start_month": "7"}
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="ada@example.test")
    assert {m.org.name for m in user.memberships.all()} == {"Analytical Engines", "Second Org"}
    second = Organization.objects.get(name="Second Org")
    assert Person.objects.for_org(second).get().email == "ada@example.test"


# Everything outside a request opens its own scope --------------------------------------


def test_the_export_task_opens_its_organisation_scope(roadmap, editor_membership):
    export = Export.objects.create(
        org=roadmap.org, roadmap=roadmap, requested_by=editor_membership.user
    )
    with scope():  # as in a worker: scoping on, no organisation
        tasks.render_export(export.pk)
    export.refresh_from_db()
    assert (export.status, export.error) == (ExportStatus.DONE, "")


def test_the_export_task_ignores_a_missing_row():
    with scope():
        assert tasks.render_export(987654) is None


def test_seed_demo_runs_with_scoping_on():
    with scope():
        call_command("seed_demo", stdout=io.StringIO())
    with scope(organization=Organization.objects.get(is_demo=True)):
        assert Roadmap.objects.exists()


def test_admin_shows_every_organisation_to_staff(org, other_org, roadmap):
    RoadmapFactory(org=other_org, title="Contoso roadmap")
    staff = get_user_model().objects.create_user(
        "staff@example.test", "x", is_staff=True, is_superuser=True
    )
    client = Client()
    client.force_login(staff)
    response = client.get(reverse("admin:roadmap_roadmap_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert roadmap.title in body
    assert "Contoso roadmap" in body


def test_admin_scope_is_not_opened_for_non_staff(editor_client):
    response = editor_client.get(reverse("admin:roadmap_roadmap_changelist"))
    assert response.status_code == 302
    assert re.search(r"/admin/login/", response["Location"])


def test_scopes_disabled_is_explicit_and_sees_everything(org, other_org, roadmap):
    theirs = RoadmapFactory(org=other_org)
    with scope(), scopes_disabled():
        assert set(Roadmap.objects.all()) == {roadmap, theirs}


def test_membership_is_not_scoped(org):
    """Membership is how a request finds its organisation: readable before any scope."""
    MembershipFactory(org=org)
    with scope():
        assert Membership.objects.filter(org=org).count() == 1
