from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django_ratelimit.decorators import ratelimit

from roadmap_site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("signup/", views.signup, name="signup"),
    path(
        "accounts/login/",
        # Per IP here; per account (with backoff) in the view's form.
        ratelimit(key="ip", rate="20/m", method="POST", block=True)(views.SignInView.as_view()),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        # Each POST mails the address typed in: limited like sign-in, per IP.
        ratelimit(key="ip", rate="10/h", method="POST", block=True)(
            auth_views.PasswordResetView.as_view()
        ),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("org/new/", views.org_create, name="org_create"),
    path("org/settings/", views.org_settings, name="org_settings"),
    path("org/switch/", views.org_switch, name="org_switch"),
    path("org/members/", views.members, name="members"),
    path("org/members/invite/", views.member_invite, name="member_invite"),
    path("org/members/<int:pk>/role/", views.member_role, name="member_role"),
    path("org/invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("org/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("org/api-tokens/", views.api_tokens, name="api_tokens"),
    path("org/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("org/people/", views.people, name="people"),
    path("org/people/new/", views.person_create, name="person_create"),
    path("org/people/<int:pk>/", views.person_edit, name="person_edit"),
    path("invite/<str:token>/", views.invite_accept, name="invite_accept"),
    path("", include("roadmap.urls")),
    path("", include("strategy.urls")),
    path("", include("measurement.urls")),
    path("admin/", admin.site.urls),
]
