"""Each member's calendar feeds: secret iCalendar addresses of the plan, and the feed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit
from django_scopes import scopes_disabled

from roadmap.forms import (
    CalendarFeedForm,
)
from roadmap.models import (
    CalendarFeed,
    Roadmap,
)
from roadmap.views.plan import PHASE
from roadmap_site.access import AuthedRequest, enter_org_scope, get_for_member, member_required


def _feeds_context(request: AuthedRequest, **extra) -> dict:
    roadmap_pk = request.GET.get("roadmap") or request.POST.get("roadmap")
    roadmap = (
        Roadmap.objects.for_org(request.org).filter(pk=roadmap_pk).first()
        if roadmap_pk and roadmap_pk.isdigit()
        else None
    )
    context = {
        "roadmap": roadmap,
        "feeds": list(CalendarFeed.objects.for_org(request.org).of_user(request.user)),
        "feed_form": CalendarFeedForm(),
        "phase": PHASE,
    }
    context.update(extra)
    return context


@member_required
@require_GET
def calendar_feeds(request: AuthedRequest) -> HttpResponse:
    """The member's own feeds. Viewers have them too: a feed only reads."""
    return render(request, "roadmap/feed_list.html", _feeds_context(request))


@member_required
@require_POST
def calendar_feed_create(request: AuthedRequest) -> HttpResponse:
    form = CalendarFeedForm(request.POST)
    if not form.is_valid():
        context = _feeds_context(request, feed_form=form)
        return render(request, "roadmap/feed_list.html", context, status=400)
    feed, token = CalendarFeed.issue(
        org=request.org, user=request.user, label=form.cleaned_data["label"]
    )
    url = request.build_absolute_uri(reverse("roadmap:calendar_feed", args=[token]))
    context = _feeds_context(request, new_feed=feed, new_url=url)
    response = render(request, "roadmap/feed_list.html", context)
    # The page holding a secret must not be cached anywhere.
    response["Cache-Control"] = "no-store"
    return response


@member_required
@require_POST
def calendar_feed_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    feed = get_for_member(request, CalendarFeed.objects.of_user(request.user), pk=pk)
    feed.revoke()
    messages.success(request, "The feed is revoked: calendars subscribed to it stop updating.")
    roadmap_pk = request.POST.get("roadmap", "")
    query = f"?roadmap={roadmap_pk}" if roadmap_pk.isdigit() else ""
    return redirect(reverse("roadmap:calendar_feeds") + query)


def feed_rate() -> str:
    """Calendar apps poll every few hours; 60 a minute per address stops token guessing.
    `CALENDAR_FEED_RATE` in the settings overrides it."""
    return settings.CALENDAR_FEED_RATE


@require_GET
@never_cache
@ratelimit(key="ip", rate=lambda group, request: feed_rate(), block=True)
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar behind a secret URL: stage milestones of every roadmap of the member's
    organisation and its business calendar. No session: the token is the credential."""
    with scopes_disabled():  # the token is what says which organisation
        feed = CalendarFeed.find_active(token)
    if feed is None:
        raise Http404("No such feed.")
    enter_org_scope(request, feed.org)
    feed.mark_used()
    body = feed.build_ical(origin=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="roadmap.ics"'
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
