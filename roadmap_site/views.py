"""Workspace views: sign-up, organisations, members and invitations, people, health."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.mail import send_mail
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event
from django_ratelimit.decorators import ratelimit
from django_scopes import scopes_disabled

from roadmap_site.access import (
    AuthedRequest,
    OrgRequest,
    UserRequest,
    enter_org_scope,
    get_for_member,
    member_required,
    require_write,
    switch_organization,
)
from roadmap_site.forms import (
    ApiTokenForm,
    EmailAuthenticationForm,
    InviteForm,
    NewPersonForm,
    OrganizationForm,
    PersonForm,
    RoleForm,
    SignupForm,
    SwitchOrganizationForm,
)
from roadmap_site.models import (
    ApiToken,
    Invitation,
    InvitationRefused,
    Membership,
    Person,
    Role,
)
from roadmap_site.partials import page_or_partial


def home(request: OrgRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    if not request.membership:
        return redirect("org_create")
    return redirect("roadmap:roadmap_list")


@ratelimit(key="ip", rate="10/h", method="POST", block=True)
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome! Your organisation is ready. Start with a roadmap.")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def org_create(request: UserRequest) -> HttpResponse:
    """A signed-in user starts another organisation (or their first, if invited out)."""
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        org = form.save()
        enter_org_scope(request, org)
        membership = Membership.objects.create(org=org, user=request.user, role=Role.ADMIN)
        Person.objects.get_or_create(
            org=org,
            name=request.user.name or request.user.email,
            defaults={"email": request.user.email, "user": request.user, "is_ld_team": True},
        )
        switch_organization(request, membership)
        messages.success(request, f"{org.name} is ready.")
        return redirect("home")
    return render(request, "roadmap_site/org_form.html", {"form": form, "creating": True})


@member_required
def org_settings(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        require_write(request, admin=True)
        form = OrganizationForm(request.POST, instance=request.org)
        if form.is_valid():
            form.save()
            messages.success(request, "Organisation saved.")
            return redirect("org_settings")
    else:
        form = OrganizationForm(instance=request.org)
    return render(request, "roadmap_site/org_form.html", {"form": form, "creating": False})


@login_required
@require_POST
def org_switch(request: UserRequest) -> HttpResponse:
    form = SwitchOrganizationForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose an organisation.", status=400)
    membership = Membership.objects.filter(
        user=request.user, org_id=form.cleaned_data["org"]
    ).first()
    if membership is None:
        return HttpResponse(status=404)
    switch_organization(request, membership)
    return redirect("home")


@member_required
@require_GET
def members(request: AuthedRequest) -> HttpResponse:
    form = InviteForm(org=request.org)
    context = {
        "memberships": request.org.memberships.select_related("user").order_by("user__email"),
        "invitations": request.org.invitations.open().select_related("invited_by")
        if request.membership.is_admin
        else [],
        "invite_form": form,
        "role_choices": Role.choices,
    }
    return render(request, "roadmap_site/members.html", context)


def _send_invitation(request: AuthedRequest, invitation: Invitation, token: str) -> None:
    link = settings.SITE_URL + reverse("invite_accept", args=[token])
    send_mail(
        subject=f"You are invited to {request.org.name} on L&D Roadmap",
        message=(
            f"{request.user} invited you to join {request.org.name} as "
            f"{invitation.get_role_display().lower()}.\n\n"
            f"Accept within 7 days, signed in as {invitation.email}: {link}\n"
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )


@member_required(admin=True)
@require_POST
@ratelimit(key="user", rate="30/h", block=True)
def member_invite(request: AuthedRequest) -> HttpResponse:
    form = InviteForm(request.POST, org=request.org)
    if not form.is_valid():
        context = {
            "memberships": request.org.memberships.select_related("user"),
            "invitations": request.org.invitations.open(),
            "invite_form": form,
            "role_choices": Role.choices,
        }
        return render(request, "roadmap_site/members.html", context, status=400)
    invitation, token = Invitation.issue(
        org=request.org,
        email=form.cleaned_data["email"],
        role=form.cleaned_data["role"],
        invited_by=request.user,
    )
    _send_invitation(request, invitation, token)
    messages.success(request, f"Invitation sent to {invitation.email}.")
    return redirect("members")


@member_required(admin=True)
@require_POST
@ratelimit(key="user", rate="30/h", block=True)
def invitation_resend(request: AuthedRequest, pk: int) -> HttpResponse:
    """A new link and a new expiry, mailed again; the old link stops working."""
    invitation = get_for_member(request, Invitation.objects.open(), pk=pk)
    token = invitation.renew()
    _send_invitation(request, invitation, token)
    messages.success(request, f"Invitation sent again to {invitation.email}.")
    return redirect("members")


@member_required(admin=True)
@require_POST
def invitation_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    invitation = get_for_member(request, Invitation.objects.open(), pk=pk)
    invitation.revoke()
    messages.success(request, f"Invitation to {invitation.email} revoked; its link is dead.")
    return redirect("members")


@member_required(admin=True)
@require_POST
def member_role(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = get_for_member(request, Membership, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Unknown role.", status=400)
    try:
        membership.change_role(form.cleaned_data["role"])
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{membership.user} is now {membership.get_role_display()}.")
    return redirect("members")


@never_cache
@ratelimit(key="ip", rate="30/m", block=True)
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Join through an invitation: signed in with the invited address, or by signing up
    with it. Signed in as someone else, the page explains and the invitation stays open."""
    with scopes_disabled():  # the token is what says which organisation
        invitation = Invitation.find(token)
    if invitation is None:
        return render(request, "roadmap_site/invite_invalid.html", status=404)
    enter_org_scope(request, invitation.org)
    context: dict = {"invitation": invitation}
    if request.user.is_authenticated:
        if not invitation.is_for(request.user):
            return render(request, "roadmap_site/invite_accept.html", context, status=403)
        if request.method == "POST":
            try:
                membership = invitation.accept(request.user)
            except InvitationRefused:
                return render(request, "roadmap_site/invite_invalid.html", status=404)
            switch_organization(request, membership)
            messages.success(request, f"You joined {invitation.org.name}.")
            return redirect("home")
        return render(request, "roadmap_site/invite_accept.html", context)
    form = SignupForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user = form.save()
        except InvitationRefused:
            return render(request, "roadmap_site/invite_invalid.html", status=404)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        membership = Membership.objects.get(org=invitation.org, user=user)
        switch_organization(request, membership)
        messages.success(request, f"Welcome to {invitation.org.name}.")
        return redirect("home")
    return render(request, "roadmap_site/invite_accept.html", {**context, "form": form})


@member_required(admin=True)
@require_http_methods(["GET", "POST"])
@never_cache
def api_tokens(request: AuthedRequest) -> HttpResponse:
    """Admins create, list and revoke the organisation's API tokens. A new token's
    credentials are in this one response and nowhere else: only their hash is stored."""
    form = ApiTokenForm(request.POST or None)
    credentials, created = "", None
    if request.method == "POST" and form.is_valid():
        created, credentials = ApiToken.issue(
            org=request.org,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            created_by=request.user,
        )
        form = ApiTokenForm()
    context = {
        "tokens": ApiToken.objects.for_org(request.org)
        .with_standing()
        .select_related("created_by"),
        "form": form,
        "credentials": credentials,
        "created": created,
    }
    status = 400 if form.errors else 200
    return render(request, "roadmap_site/api_tokens.html", context, status=status)


@member_required(admin=True)
@require_POST
def api_token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = get_for_member(request, ApiToken.objects.active(), pk=pk)
    token.revoke()
    messages.success(request, f"Token “{token.name}” revoked; requests signed with it are refused.")
    return redirect("api_tokens")


def _safe_next(request: HttpRequest) -> str:
    """Where to return after adding a person (a picker's form), if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@member_required
def people(request: AuthedRequest) -> HttpResponse:
    form = PersonForm(request.POST or None, org=request.org)
    next_url = _safe_next(request)
    if request.method == "POST":
        require_write(request)
        if form.is_valid():
            person = form.save()
            messages.success(request, f"{person.name} added.")
            return redirect(next_url or "people")
    context = {
        "people": Person.objects.for_org(request.org).select_related("user"),
        "form": form,
        "next": next_url,
    }
    return render(request, "roadmap_site/people.html", context, status=400 if form.errors else 200)


@member_required(write=True)
@require_http_methods(["GET", "POST"])
def person_create(request: AuthedRequest) -> HttpResponse:
    """Add a person in place, from a picker's "New person…" dialog (htmx); without htmx, a
    page of its own that returns to `next`."""
    form = NewPersonForm(request.POST or None, org=request.org)
    next_url = _safe_next(request)
    if request.method == "POST" and form.is_valid():
        person = form.save()
        if request.htmx:
            # No swap: the page's script adds the person to its pickers and closes the dialog.
            response = HttpResponse(status=204)
            return trigger_client_event(
                response, "person-created", {"id": person.pk, "name": person.name}
            )
        messages.success(request, f"{person.name} added.")
        return redirect(next_url or "people")
    template = page_or_partial(request, "roadmap_site/person_create.html", "person-form")
    # htmx does not swap a 4xx: the form with its errors is a normal answer there.
    status = 400 if form.errors and not request.htmx else 200
    return render(request, template, {"form": form, "next": next_url}, status=status)


@member_required(write=True)
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_for_member(request, Person, pk=pk)
    form = PersonForm(request.POST or None, instance=person, org=request.org)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{person.name} saved.")
        return redirect("people")
    return render(request, "roadmap_site/person_form.html", {"form": form, "person": person})


class SignInView(auth_views.LoginView):
    """Django's sign-in with e-mail addresses and the per-account lock (roadmap_site/signin.py).

    A locked address answers 429, whether or not an account has it.
    """

    authentication_form = EmailAuthenticationForm

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        # Always an EmailAuthenticationForm (`authentication_form`); the stubs type LoginView
        # for Django's own form.
        if isinstance(form, EmailAuthenticationForm) and form.is_locked:
            response.status_code = 429
        return response


def ratelimited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """RATELIMIT_VIEW: too many requests is a 429 with its page, not "Not allowed"."""
    return render(request, "429.html", status=429)


@require_GET
@never_cache
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker state; 503 when either is down. Used by compose and monitors."""
    report: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"] = "ok"
    except Exception as error:
        report["database"] = f"error: {type(error).__name__}"
    if not settings.CELERY_BROKER_URL:
        report["broker"] = "in-process (no broker configured)"
    else:
        from roadmap_site.celery import app

        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            report["broker"] = "ok"
        except Exception as error:
            report["broker"] = f"error: {type(error).__name__}"
    healthy = all(value == "ok" or value.startswith("in-process") for value in report.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **report}, status=200 if healthy else 503
    )
