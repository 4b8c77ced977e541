"""The Share phase: a roadmap's Share page (links, the form to make one, the feedback inbox
and its triage), and the pages behind a link, which need no account: the roadmap as the
business reads it, its password form, and the reviewer's answers and comments.

Every page under a link resolves its link on each request (a revoked or expired one is a
404 at once) and every initiative through the link's scoped queryset, so an id outside
the link's scope is a 404 whatever it is.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache as default_cache
from django.db import transaction
from django.db.models import Max, Min
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    condition,
    require_GET,
    require_http_methods,
    require_POST,
)
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited
from django_scopes import scopes_disabled

from roadmap import charts, reviews
from roadmap.forms import CommentForm, ReviewForm, ShareLinkForm, SharePasswordForm, TriageForm
from roadmap.iterate import stopped_learnings
from roadmap.ledger import commitment_ledger
from roadmap.models import (
    Feedback,
    Initiative,
    InitiativeStatus,
    ReviewQuestion,
    Roadmap,
    ShareLink,
    ShareReview,
    TriageState,
)
from roadmap_site import cache
from roadmap_site.access import AuthedRequest, enter_org_scope, get_for_member, member_required
from roadmap_site.partials import page_or_partial
from strategy.models import CanvasAnswer, Priority, Question

# The team's side ------------------------------------------------------------------------


def _share_context(request: AuthedRequest, roadmap: Roadmap, **extra: Any) -> dict[str, Any]:
    """The Share page: the links with their scope and views, the form, the inbox."""
    links = list(
        roadmap.share_links.select_related("created_by").prefetch_related("priorities", "cycles")
    )
    feedback = list(Feedback.objects.for_org(request.org).filter(roadmap=roadmap).for_inbox())
    context = {
        "roadmap": roadmap,
        "phase": "share",
        "share_links": ShareLink.with_pending_views(links),
        "share_form": ShareLinkForm(roadmap=roadmap),
        **inbox(feedback),
    }
    if request.membership.can_write:
        for item in feedback:
            item.form = TriageForm(instance=item)
    context.update(extra)
    return context


def inbox(feedback: list[Feedback]) -> dict[str, Any]:
    """The feedback per question (in the article's order) and per initiative."""
    by_question: dict[ReviewQuestion, list[Feedback]] = {q: [] for q in ReviewQuestion}
    by_initiative: dict[int, dict[str, Any]] = {}
    for item in feedback:
        if item.initiative_id is None:
            by_question[ReviewQuestion(item.question)].append(item)
        else:
            group = by_initiative.setdefault(
                item.initiative_id, {"initiative": item.initiative, "items": []}
            )
            group["items"].append(item)
    return {
        "feedback_count": len(feedback),
        "open_count": sum(item.state == TriageState.OPEN for item in feedback),
        "by_question": [{"question": q, "items": items} for q, items in by_question.items()],
        "by_initiative": list(by_initiative.values()),
    }


@member_required
@require_GET
def roadmap_share(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, Roadmap, pk=pk)
    return render(request, "roadmap/share_links.html", _share_context(request, roadmap))


@member_required(write=True)
@require_POST
def share_link_create(request: AuthedRequest, pk: int) -> HttpResponse:
    roadmap = get_for_member(request, Roadmap, pk=pk)
    form = ShareLinkForm(request.POST, roadmap=roadmap)
    extra: dict[str, Any] = {"share_form": form}
    if form.is_valid():
        link, token = form.issue(by=request.user)
        extra = {
            "new_link": link,
            "new_url": request.build_absolute_uri(reverse("roadmap:shared_roadmap", args=[token])),
        }
    context = _share_context(request, roadmap, **extra)
    template = page_or_partial(request, "roadmap/share_links.html", "share-links")
    response = render(
        request, template, context, status=200 if form.is_valid() or request.htmx else 400
    )
    # The page holding a secret must not be cached anywhere.
    response["Cache-Control"] = "no-store"
    return response


@member_required(write=True)
@require_http_methods(["GET", "POST"])
def share_link_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET asks first, naming what breaks (a page, or a dialog's content for htmx); POST
    revokes."""
    link = get_for_member(request, ShareLink.objects.select_related("roadmap", "created_by"), pk=pk)
    roadmap = link.roadmap
    if request.method == "GET":
        template = page_or_partial(request, "roadmap/share_link_revoke.html", "confirm")
        return render(request, template, {"link": link, "roadmap": roadmap})
    link.revoke()
    if request.htmx:
        context = _share_context(request, roadmap)
        return render(request, "roadmap/share_links.html#share-links", context)
    messages.success(request, "The link is revoked: it no longer opens the roadmap.")
    return redirect("roadmap:roadmap_share", pk=roadmap.pk)


@member_required(write=True)
@require_POST
def feedback_triage(request: AuthedRequest, pk: int) -> HttpResponse:
    """Accept, decline with an answer, or reopen one piece of feedback."""
    item = get_for_member(request, Feedback.objects.for_inbox(), pk=pk)
    form = TriageForm(request.POST, instance=item)
    if form.is_valid():
        form.save(by=request.user)
        item.form = TriageForm(instance=item)
    else:
        item.form = form
    if request.htmx:
        # A refused triage is the same fragment with its error (htmx swaps 200s only).
        return render(request, "roadmap/share_links.html#feedback-item", {"item": item})
    if not form.is_valid():
        context = _share_context(request, item.roadmap)
        return render(request, "roadmap/share_links.html", context, status=400)
    return redirect(reverse("roadmap:roadmap_share", args=[item.roadmap_id]) + f"#feedback-{pk}")


# Behind a link --------------------------------------------------------------------------

# The cached part of a shared page is rendered with this in place of the visitor's own
# context, so that it is the same for everyone who holds the link: no account menu, no
# messages, no CSRF token, and a placeholder for the CSP nonce, which each response fills
# with its own (`nonce="…"` cannot come from escaped user text).
NONCE_PLACEHOLDER = "csp-nonce-of-this-response"
SHARED_CONTEXT = {
    "user": AnonymousUser(),
    "membership": None,
    "current_org": None,
    "messages": (),
    "csrf_token": "",
    "csp_nonce": NONCE_PLACEHOLDER,
}
NONCE_ATTRIBUTE = f'nonce="{NONCE_PLACEHOLDER}"'.encode()
# A correct password is remembered for a working day; a reviewer for a quarter.
UNLOCK_AGE = 12 * 60 * 60
REVIEWER_AGE = 92 * 24 * 60 * 60


def _share_link(request: HttpRequest, token: str) -> ShareLink | None:
    """The active link of `token`, looked up once per request and marked as used."""
    memo = cast(Any, request)  # the ETag function and the view share one lookup
    if not hasattr(memo, "share_link"):
        with scopes_disabled():  # the token is what says which organisation
            memo.share_link = ShareLink.find_active(token)
            if memo.share_link is not None:
                # A view is the page itself; a comment page or a post is a use only.
                match = request.resolver_match
                page = request.method == "GET" and match and match.url_name == "shared_roadmap"
                memo.share_link.mark_used(view=bool(page))
    return memo.share_link


def _share_etag(request: HttpRequest, token: str) -> str | None:
    link = _share_link(request, token)
    # A page with a form or behind a password is never answered by a bare 304.
    if link is None or link.allow_feedback or link.has_password:
        return None
    return _share_version(link)


def _share_version(link: ShareLink) -> str:
    """What the page shows changes with the roadmap, the organisation (people's names, the
    strategy) and the link (its expiry date is printed; scope and options are fixed)."""
    expires = link.expires_at.isoformat() if link.expires_at else ""
    options = f"{int(link.include_proposed)}{int(link.allow_feedback)}"
    return f"{link.pk}-{link.roadmap.version}-{link.org.version}-{expires}-{options}"


def _cookie_path(link_token: str) -> str:
    return reverse("roadmap:shared_roadmap", args=[link_token])


def _unlock_value(link: ShareLink) -> str:
    # Names the password: a new password (or none) makes old cookies worthless.
    return hashlib.sha256(link.password_hash.encode()).hexdigest()[:32]


def _is_unlocked(request: HttpRequest, link: ShareLink) -> bool:
    if not link.has_password:
        return True
    value = request.get_signed_cookie(
        "share_unlock", default=None, salt=f"share-unlock-{link.pk}", max_age=UNLOCK_AGE
    )
    return value == _unlock_value(link)


def _reviewer(request: HttpRequest, link: ShareLink) -> ShareReview | None:
    """The review this browser sent through this link (a signed cookie holds its id), with
    its feedback and the team's answers; never another reviewer's."""
    review_id = request.get_signed_cookie(
        "share_review", default=None, salt=f"share-review-{link.pk}", max_age=REVIEWER_AGE
    )
    if not review_id or not review_id.isdigit():
        return None
    return link.reviews.filter(pk=int(review_id)).prefetch_related("feedback__initiative").first()


def _no_leak(response: HttpResponse, *, has_form: bool = False) -> HttpResponse:
    """A secret URL must not leak through the Referer header nor be indexed. A page with a
    form sends its URL to this site only: under "no-referrer" browsers post `Origin: null`,
    which Django's CSRF check rightly refuses."""
    response.setdefault("Referrer-Policy", "same-origin" if has_form else "no-referrer")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _open(request: HttpRequest, token: str) -> ShareLink | HttpResponse:
    """The link, in its organisation's scope; or the answer to give instead (404, or the
    password form)."""
    link = _share_link(request, token)
    if link is None:
        return render(request, "roadmap/shared_invalid.html", status=404)
    enter_org_scope(request, link.org)
    if not _is_unlocked(request, link):
        form = SharePasswordForm(link=link)
        context = {"form": form, "token": token}
        return _no_leak(render(request, "roadmap/shared_password.html", context), has_form=True)
    return link


def _limit(request: HttpRequest, link: ShareLink, what: str, rate: str) -> None:
    """Refuse (429) past `rate` tries of `what` from one IP address on one link."""
    group = f"share-{what}-{link.pk}"
    if is_ratelimited(request, group=group, key="ip", rate=rate, method="POST", increment=True):
        raise Ratelimited()


# Read-only but for the link's last use, one statement: no transaction around the request.
@transaction.non_atomic_requests
@require_GET
@never_cache  # a page behind a secret URL is not stored, not even by the browser
@ratelimit(key="ip", rate=lambda group, request: settings.SHARE_LINK_RATE, block=True)
@condition(etag_func=_share_etag)
def shared_roadmap(request: HttpRequest, token: str) -> HttpResponse:
    """The roadmap behind a share link; no account needed.

    The read-only body is cached under the versions of what it shows (roadmap_site/cache.py);
    a link without feedback is cached whole, with an ETag of the same versions (a client
    that asks with it gets a 304). With feedback, the review part (the form with this
    visitor's CSRF token, or their own answers) is rendered for each request."""
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return _no_leak(opened)
    link = opened
    version = _share_version(link)

    def body() -> str:
        return cache.get_or_build(
            cache.key("share-body", version), lambda: _shared_body(request, link)
        )

    if link.allow_feedback:
        reviewer = _reviewer(request, link)
        form = None if reviewer else ReviewForm()
        return _review_page(request, link, token, body(), reviewer, form)
    # Stored as UTF-8 bytes cut where the nonces go: a view joins them around its own
    # nonce, without encoding or searching 400 KB of text again.
    pieces = cache.get_or_build(
        cache.key("share-bytes", version),
        lambda: (
            render_to_string(
                "roadmap/shared_roadmap.html",
                {"link": link, "roadmap": link.roadmap, "org": link.org, "body": mark_safe(body())}  # noqa: S308
                | SHARED_CONTEXT,
                request=request,
            )
            .encode()
            .split(NONCE_ATTRIBUTE)
        ),
    )
    nonce = f'nonce="{get_nonce(request)}"'.encode()
    return _no_leak(HttpResponse(nonce.join(pieces)))


def _review_page(
    request: HttpRequest,
    link: ShareLink,
    token: str,
    body: str,
    reviewer: ShareReview | None,
    form: ReviewForm | None,
    status: int = 200,
) -> HttpResponse:
    """The cached body with this visitor's review part: the form, or their own review."""
    context = {
        "link": link,
        "roadmap": link.roadmap,
        "org": link.org,
        "body": mark_safe(body),  # noqa: S308 (our own template's output)
        "token": token,
        "reviewer": reviewer,
        "review_form": form,
        "membership": None,
        "current_org": None,
    }
    page = render(request, "roadmap/shared_roadmap.html", context, status=status)
    return _no_leak(page, has_form=True)


# What the shared page reads of its initiatives (their cards, the ledger's totals, the
# timeline, the chart), with the names `ShareLink.initiatives` adds: a body is rebuilt after
# every change of the roadmap, and 500 initiatives with every column and five related rows
# each were half of that.
SHARED_INITIATIVE_FIELDS = (
    "org_id",
    "roadmap_id",
    "title",
    "problem",
    "status",
    "cycle_id",
    "tradeoffs",
    "budget",
    "days",
    "accountable_id",
)


# What it reads of the requests we are not doing.
SHARED_REQUEST_FIELDS = ("org_id", "title", "state", "decision_reason", "deferred_to__name")


def _shared_body(request: HttpRequest, link: ShareLink) -> str:
    roadmap = link.roadmap
    priority_ids, cycle_ids = link.scope_ids()
    initiatives = list(
        link.initiatives()
        .select_related(None)
        .only(*SHARED_INITIATIVE_FIELDS)
        .annotate(first_day=Min("stages__start"), last_day=Max("stages__end"))
    )
    _attach_cards(link, initiatives)
    cycles = [c for c in roadmap.cycles.all() if not cycle_ids or c.pk in cycle_ids]
    per_cycle = charts.initiatives_per_cycle_rows(cycles, initiatives)
    context: dict[str, Any] = {
        "roadmap": roadmap,
        "cycles": cycles,
        "initiatives": initiatives,
        "per_cycle": per_cycle,
        "chart": charts.initiatives_per_cycle(per_cycle),
        # Iterate: what stopped initiatives taught us, within the link's scope.
        "learnings": stopped_learnings(roadmap, within=link.in_scope(roadmap.initiatives.all())),
    }
    context.update(
        commitment_ledger(
            roadmap,
            cycles=cycles,
            initiatives=initiatives,
            priority_ids=priority_ids,
            request_fields=SHARED_REQUEST_FIELDS,
        )
    )
    _attach_not_doing(link, context["ledger"])
    strategy = _strategy(link)
    context.update(
        {
            "link": link,
            "org": link.org,
            "strategy": strategy,
            "scope_text": _scope_text(link, strategy["priorities"], cycles),
            "timeline_html": _timeline_html(link, cycles, _timeline(cycles, initiatives)),
            "input_needed": _input_needed(link, initiatives),
            **SHARED_CONTEXT,
        }
    )
    return render_to_string("roadmap/shared_roadmap.html#shared-body", context, request=request)


@functools.cache
def _template_digest() -> str:
    """The shared page's template source as a digest, part of every cached card's and
    part's key: a deploy that changes the markup never reuses what the old one rendered."""
    source = get_template("roadmap/shared_roadmap.html").template.source  # type: ignore[attr-defined]
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def _card_digest(link: ShareLink, initiative: Initiative) -> str:
    """What an initiative's card shows, as a digest: the same words, people, status and
    comment link give the same digest, whichever version of the roadmap they are part of."""
    named = cast(Any, initiative)  # the names `ShareLink.initiatives` adds
    shown = (
        _template_digest(),
        initiative.pk,
        initiative.title,
        initiative.problem,
        named.owner_name,
        named.accountable_name,
        initiative.status,
        named.priority_name,
        initiative.tradeoffs,
        link.allow_feedback,
    )
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def _attach_cards(link: ShareLink, initiatives: list[Initiative]) -> None:
    """`card` on each initiative: its rendered `<li>`, taken from the link's cards of the
    last build when nothing it shows changed. After a change (the body's key has a new
    roadmap version) only the cards that differ are rendered again.

    The cards are one cache entry per link, a dict by digest (a digest names everything the
    card shows, so a card found is right whatever version it was built for): one read, one
    write, and 500 cards do not crowd out a small cache (locmem keeps 300 entries)."""
    template = get_template("roadmap/shared_roadmap.html#shared-initiative")
    pool_key = cache.key("share-cards", link.pk)
    previous: dict[str, str] = default_cache.get(pool_key) or {}
    cards: dict[str, str] = {}
    for initiative in initiatives:
        digest = _card_digest(link, initiative)
        card = previous.get(digest)
        if card is None:
            card = template.render({"initiative": initiative, "link": link}).strip()
        cards[digest] = card
        cast(Any, initiative).card = mark_safe(card)  # noqa: S308 (our own template's output)
    if cards != previous:
        default_cache.set(pool_key, cards, cache.TIMEOUT)


def _strategy(link: ShareLink) -> dict[str, Any]:
    """The year's vision and the priorities the link shows (its chosen ones, if any): two
    queries, whether or not the year has a strategy."""
    of_year = {"strategy__org": link.org, "strategy__fiscal_year": link.roadmap.fiscal_year}
    vision = CanvasAnswer.objects.filter(question=Question.VISION, **of_year)
    priorities = Priority.objects.filter(**of_year).select_related("business_owner").ranked()
    chosen, _cycles = link.scope_ids()
    if chosen:
        priorities = priorities.filter(pk__in=chosen)
    return {
        "vision": next(iter(vision.values_list("text", flat=True)), ""),
        "priorities": list(priorities),
    }


def _scope_text(link: ShareLink, priorities: list[Priority], cycles: list) -> str:
    priority_ids, cycle_ids = link.scope_ids()
    parts = []
    if priority_ids:
        parts.append("initiatives serving " + " or ".join(f"“{p.capability}”" for p in priorities))
    if cycle_ids:
        parts.append("in " + ", ".join(cycle.name for cycle in cycles))
    return " ".join(parts)


# The stylesheet places bars over at most this many cycles (a roadmap has four quarters).
TIMELINE_MAX_CYCLES = 12


def _timeline(cycles, initiatives: list[Initiative]) -> list[dict[str, Any]]:
    """Per initiative, the run of cycles its work spans: from its first stage's start to its
    last stage's end, or its own cycle without stages. Collapsed: no stage is shown. Drawn
    as a bar from cycle `start` over `span` cycles (CSS classes: no inline style), with the
    run in words for screen readers and print."""
    if len(cycles) > TIMELINE_MAX_CYCLES:
        return []
    rows = []
    for initiative in initiatives:
        first = getattr(initiative, "first_day", None)
        last = getattr(initiative, "last_day", None)
        if first is not None and last is not None:
            on = [i for i, c in enumerate(cycles) if c.start <= last and c.end >= first]
        else:
            on = [i for i, c in enumerate(cycles) if c.pk == initiative.cycle_id]
        if not on:
            continue
        start, end = on[0], on[-1]
        label = cycles[start].name if start == end else f"{cycles[start]} to {cycles[end]}"
        rows.append(
            {"initiative": initiative, "start": start, "span": end - start + 1, "label": label}
        )
    return rows


def _part(link: ShareLink, name: str, shown: object, context: dict[str, Any]) -> SafeString:
    """The partial `shared-<name>` rendered with `context`, cached under a digest of
    `shown`, which must name everything the partial prints: a change elsewhere on the
    roadmap finds it built, and no version can make it stale."""
    digest = hashlib.sha256(repr((_template_digest(), shown)).encode()).hexdigest()
    html = cache.get_or_build(
        cache.key(f"share-{name}", link.pk, digest),
        lambda: get_template(f"roadmap/shared_roadmap.html#shared-{name}").render(context).strip(),
    )
    return mark_safe(html)  # noqa: S308 (our own template's output)


def _timeline_html(link: ShareLink, cycles: list, rows: list[dict[str, Any]]) -> SafeString:
    """The timeline section: most changes move no bar and rename no initiative."""
    shown = (
        [cycle.name for cycle in cycles],
        [
            (r["initiative"].pk, r["initiative"].title, r["start"], r["span"], r["label"])
            for r in rows
        ],
    )
    return _part(link, "timeline", shown, {"timeline": rows, "cycles": cycles})


def _attach_not_doing(link: ShareLink, ledger: list[dict[str, Any]]) -> None:
    """`not_doing_html` on each cycle of the ledger: what we are not doing in it, hundreds
    of declined requests at scale, which an initiative's change leaves as they were."""
    for entry in ledger:
        shown = (
            [
                (r.pk, r.title, r.state, r.decision_reason, r.deferred_to and r.deferred_to.name)
                for r in entry["not_doing"]
            ],
            [(d.pk, d.title, d.reason) for d in entry["dropped"]],
        )
        entry["not_doing_html"] = _part(link, "not-doing", shown, {"entry": entry})


# At scale a roadmap has hundreds of commitments without an accountable leader: name the
# first ones and count the rest, so the page stays light.
INPUT_NEEDED_SHOWN = 12


def _input_needed(link: ShareLink, initiatives: list[Initiative]) -> dict[str, Any]:
    """Where the team asks the business: proposals not committed yet, and commitments
    without a business leader accountable for the outcome."""
    needed = []
    for initiative in initiatives:
        if initiative.status == InitiativeStatus.PROPOSED:
            needed.append({"initiative": initiative, "why": "Proposed: should we commit to it?"})
        elif initiative.accountable_id is None:
            needed.append(
                {"initiative": initiative, "why": "No business leader owns the outcome yet."}
            )
    return {"shown": needed[:INPUT_NEEDED_SHOWN], "more": len(needed[INPUT_NEEDED_SHOWN:])}


@require_POST
@never_cache
def shared_unlock(request: HttpRequest, token: str) -> HttpResponse:
    """The password of a link: tries are limited per link and IP address; a right one is
    remembered by a signed cookie on the link's path."""
    link = _share_link(request, token)
    if link is None:
        return _no_leak(render(request, "roadmap/shared_invalid.html", status=404))
    enter_org_scope(request, link.org)
    if not link.has_password:
        return redirect("roadmap:shared_roadmap", token=token)
    _limit(request, link, "password", settings.SHARE_PASSWORD_RATE)
    form = SharePasswordForm(request.POST, link=link)
    if not form.is_valid():
        context = {"form": form, "token": token}
        page = render(request, "roadmap/shared_password.html", context, status=400)
        return _no_leak(page, has_form=True)
    response = redirect("roadmap:shared_roadmap", token=token)
    response.set_signed_cookie(
        "share_unlock",
        _unlock_value(link),
        salt=f"share-unlock-{link.pk}",
        max_age=UNLOCK_AGE,
        path=_cookie_path(token),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return _no_leak(response)


def _remember_reviewer(
    response: HttpResponse, request: HttpRequest, review: ShareReview, token: str
):
    response.set_signed_cookie(
        "share_review",
        str(review.pk),
        salt=f"share-review-{review.link_id}",
        max_age=REVIEWER_AGE,
        path=_cookie_path(token),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


@require_POST
@never_cache
def shared_review(request: HttpRequest, token: str) -> HttpResponse:
    """A reviewer's name, address and answers to the three questions."""
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return _no_leak(opened)
    link = opened
    if not link.allow_feedback:
        return _no_leak(HttpResponse("This link does not take feedback.", status=403))
    _limit(request, link, "feedback", settings.SHARE_FEEDBACK_RATE)
    form = ReviewForm(request.POST)
    if form.is_spam():  # looks sent to a bot; nothing is kept
        return redirect("roadmap:shared_roadmap", token=token)
    if not form.is_valid():
        body = cache.get_or_build(
            cache.key("share-body", _share_version(link)), lambda: _shared_body(request, link)
        )
        return _review_page(request, link, token, body, None, form, status=400)
    data = form.cleaned_data
    review = reviews.submit_review(
        link=link, name=data["name"], email=data["email"], answers=form.answers()
    )
    response = redirect(reverse("roadmap:shared_roadmap", args=[token]) + "#your-review")
    _remember_reviewer(response, request, review, token)
    return _no_leak(response)


@require_http_methods(["GET", "POST"])
@never_cache
def shared_initiative(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    """One initiative of the link with the reviewer's comments on it and the form to add
    one. Resolved through the link's scoped initiatives: anything else is a 404."""
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return _no_leak(opened)
    link = opened
    if not link.allow_feedback:
        return _no_leak(render(request, "roadmap/shared_invalid.html", status=404))
    initiative = get_object_or_404(link.initiatives(), pk=pk)
    reviewer = _reviewer(request, link)
    form = CommentForm(request.POST or None)
    if request.method == "POST":
        _limit(request, link, "feedback", settings.SHARE_FEEDBACK_RATE)
        if reviewer is None:
            return redirect(reverse("roadmap:shared_roadmap", args=[token]) + "#review")
        if form.is_spam():
            return redirect("roadmap:shared_roadmap", token=token)
        if form.is_valid():
            reviews.add_comment(
                review=reviewer,
                initiative=initiative,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
            )
            return _no_leak(
                redirect(reverse("roadmap:shared_roadmap", args=[token]) + "#your-review")
            )
    comments = (
        [item for item in reviewer.feedback.all() if item.initiative_id == initiative.pk]
        if reviewer
        else []
    )
    context = {
        "link": link,
        "roadmap": link.roadmap,
        "org": link.org,
        "initiative": initiative,
        "token": token,
        "reviewer": reviewer,
        "comments": comments,
        "form": form,
        "membership": None,
        "current_org": None,
    }
    status = 400 if form.errors else 200
    page = render(request, "roadmap/shared_initiative.html", context, status=status)
    return _no_leak(page, has_form=reviewer is not None)
