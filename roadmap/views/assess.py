"""Assess: what problem are we solving? Requests, their score, triage, the public intake form
and the requester's status page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit
from django_scopes import scopes_disabled

from roadmap import services
from roadmap.forms import (
    SOURCE_FIELDS,
    AssessSettingsForm,
    BulkTriageForm,
    CommitForm,
    DeclineForm,
    DeferForm,
    DuplicateForm,
    PublicTrainingRequestForm,
    TrainingRequestFilterForm,
    TrainingRequestForm,
)
from roadmap.models import (
    TRANSITIONS,
    AssessSettings,
    Roadmap,
    Scorer,
    ScoringModel,
    TrainingRequest,
    TransitionRefused,
)
from roadmap_site import cache
from roadmap_site.access import (
    AuthedRequest,
    enter_org_scope,
    get_for_member,
    member_required,
    require_write,
)
from roadmap_site.partials import page_or_partial

# Assess: requests -------------------------------------------------------------------------

REQUESTS_PER_PAGE = 50


def intake_rate(group: str, request: HttpRequest) -> str:
    return settings.INTAKE_RATE


def too_many_requests(request: HttpRequest) -> HttpResponse:
    return render(request, "429.html", status=429)


def current_roadmap(org) -> Roadmap | None:
    """The roadmap of this fiscal year, else the latest: where the phase steps lead."""
    year = org.fiscal_year_of(timezone.localdate())
    roadmaps = Roadmap.objects.for_org(org).order_by(
        Case(When(fiscal_year=year, then=0), default=1), "-fiscal_year", "pk"
    )
    return roadmaps.first()


@member_required
@require_GET
def request_list(request: AuthedRequest) -> HttpResponse:
    """Every request of the organisation with its score; filters, sort and bulk triage.

    A fixed number of queries however many requests: the database computes each score's
    total, sorts and pages; only the page shown is scored in Python, for its breakdown.
    The page's body (for htmx, its table) is rendered once per organisation version (every
    request, priority and person write bumps it), scoring settings, day, address and
    reader role.
    """
    org = request.org
    filters = TrainingRequestFilterForm.for_org(org, request.GET)
    scorer = Scorer(org)
    roadmap = current_roadmap(org)

    def context() -> dict:
        page = Paginator(_ranked_ids(org, filters, scorer), REQUESTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        found = TrainingRequest.objects.for_org(org).for_list().in_bulk(page.object_list)
        # The page's requests with their scores, in the page's order.
        rows = scorer.scored(found[pk] for pk in page.object_list if pk in found)
        query = request.GET.copy()
        query.pop("page", None)
        model = scorer.settings.scoring_model
        return {
            "page": page,
            "rows": rows,
            "filters": filters,
            "query": query.urlencode(),
            "scoring_model": "RICE" if model == "rice" else "weighted score",
            "is_rice": model == ScoringModel.RICE,
            "bulk_form": BulkTriageForm(org=org),
            "roadmap": roadmap,
            "phase": "assess",
        }

    part = "request-table" if request.htmx else "body"
    address = request.GET.urlencode()
    if len(address) > MAX_CACHED_ADDRESS:  # not what the page's own links make
        template = page_or_partial(request, "roadmap/request_list.html", "request-table")
        return render(request, template, context())
    settings_obj = scorer.settings
    cache_key = cache.key(
        "request-list", part, org.pk, org.version, scorer.today.isoformat(),
        settings_obj.scoring_model, sorted(settings_obj.weights.items()),
        sorted(scorer.positions.items()), roadmap.pk if roadmap else "",
        request.membership.can_write, address,
    )  # fmt: skip
    html = cache.render_fragment(request, cache_key, f"roadmap/request_list.html#{part}", context)
    if request.htmx:
        return HttpResponse(html)
    page = {"body_html": html, "roadmap": roadmap, "phase": "assess"}
    return render(request, "roadmap/request_list.html", page)


# Longer addresses (filters, sort and page give about 100 characters) are answered uncached,
# so that made-up query strings cannot fill the cache.
MAX_CACHED_ADDRESS = 200


def _ranked_ids(org, filters: TrainingRequestFilterForm, scorer: Scorer) -> list[int]:
    """The ids of the requests the filters choose, in their order. The order depends on the
    requests (each write bumps the organisation's version), the scoring settings, the
    priorities' ranks and today (urgency): with all of them in the key, the database sorts
    once per change, not per view."""
    settings_obj = scorer.settings
    cache_key = cache.key(
        "request-ids", org.pk, org.version, scorer.today.isoformat(),
        settings_obj.scoring_model, sorted(settings_obj.weights.items()),
        sorted(scorer.positions.items()), filters.chosen,
    )  # fmt: skip

    def ranked() -> list[int]:
        rows = scorer.with_total(filters.filter(TrainingRequest.objects.for_org(org)))
        return list(filters.in_order(rows).values_list("pk", flat=True))

    return cache.get_or_build(cache_key, ranked)


def _prefill(request: AuthedRequest) -> dict:
    """Initial values from a listening-session theme or a maturity suggestion in the query
    string (`from_theme=<id>`, or `from_suggestion=<dimension>[&assessment=<id>]`)."""
    from strategy.models import MaturityAssessment, Theme

    if theme_id := request.GET.get("from_theme"):
        if not theme_id.isdigit():
            raise Http404
        theme = get_for_member(request, Theme.objects.with_mentions(), pk=int(theme_id))
        return TrainingRequestForm.initial_from_theme(theme)
    if key := request.GET.get("from_suggestion"):
        assessments = MaturityAssessment.objects.latest_first()
        chosen = request.GET.get("assessment", "")
        if chosen.isdigit():
            assessment = get_for_member(request, assessments, pk=int(chosen))
        else:  # without an id, the latest assessment's suggestions
            assessment = assessments.for_org(request.org).first()
        if assessment is None:
            raise Http404("No maturity assessment yet.")
        initial = TrainingRequestForm.initial_from_suggestion(assessment, key)
        if initial is None:
            raise Http404("That dimension has no suggested next move.")
        return initial
    return {}


@member_required(write=True)
@require_http_methods(["GET", "POST"])
def request_create(request: AuthedRequest) -> HttpResponse:
    """A request entered by the team, or turned from a theme or maturity suggestion."""
    form = TrainingRequestForm(request.POST or None, initial=_prefill(request), org=request.org)
    if request.method == "POST" and form.is_valid():
        item = form.save(by=request.user)
        messages.success(request, f"Request “{item.title}” added.")
        return redirect("roadmap:request_detail", pk=item.pk)
    return render(
        request,
        "roadmap/request_form.html",
        {
            "form": form,
            "source": {k: v for k, v in form.initial.items() if k in SOURCE_FIELDS},
            "phase": "assess",
            "roadmap": current_roadmap(request.org),
        },
        status=400 if form.errors else 200,
    )


@member_required(write=True)
@require_http_methods(["GET", "POST"])
def request_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    item = get_for_member(request, TrainingRequest, pk=pk)
    form = TrainingRequestForm(request.POST or None, instance=item, org=request.org)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Request saved; its score is updated.")
        return redirect("roadmap:request_detail", pk=item.pk)
    return render(
        request,
        "roadmap/request_form.html",
        {"form": form, "item": item, "phase": "assess", "roadmap": current_roadmap(request.org)},
        status=400 if form.errors else 200,
    )


def _request_context(request: AuthedRequest, item: TrainingRequest, **forms_) -> dict:
    scorer = Scorer(request.org)
    context = {
        "item": item,
        "allowed": {action: item.can(action) for action in TRANSITIONS},
        "score": scorer.score(item),
        "settings_obj": scorer.settings,
        "duplicates": list(item.duplicates.all()),
        "decline_form": DeclineForm(),
        "defer_form": DeferForm(org=request.org),
        "duplicate_form": DuplicateForm(request_obj=item),
        "roadmap": current_roadmap(request.org),
        "phase": "assess",
    }
    context.update(forms_)
    return context


@member_required
@require_GET
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    item = get_for_member(request, TrainingRequest.objects.for_list(), pk=pk)
    template = page_or_partial(request, "roadmap/request_detail.html", "triage")
    return render(request, template, _request_context(request, item))


DECISIONS = ("assess", "decline", "defer", "duplicate")


@member_required(write=True)
@require_POST
def request_decide(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """One triage decision; a refused one re-renders the panel with the reason."""
    if action not in DECISIONS:
        raise Http404
    item = get_for_member(request, TrainingRequest.objects.for_list(), pk=pk)
    form: forms.Form | None = None
    name = ""
    if action == "decline":
        form, name = DeclineForm(request.POST), "decline_form"
    elif action == "defer":
        form, name = DeferForm(request.POST, org=request.org), "defer_form"
    elif action == "duplicate":
        form, name = DuplicateForm(request.POST, request_obj=item), "duplicate_form"
    error = None
    if form is None or form.is_valid():
        data = form.cleaned_data if form is not None else {}
        try:
            with transaction.atomic():
                item = TrainingRequest.objects.select_for_update().get(pk=item.pk)
                if action == "assess":
                    item.assess(by=request.user)
                elif action == "decline":
                    item.decline(reason=data["reason"], by=request.user)
                elif action == "defer":
                    item.defer(cycle=data["cycle"], reason=data["reason"], by=request.user)
                else:
                    item.mark_duplicate(of=data["of"], by=request.user)
        except TransitionRefused as refused:
            error = " ".join(refused.messages)
        else:
            item = TrainingRequest.objects.for_list().get(pk=item.pk)
            if request.htmx:
                return render(
                    request, "roadmap/request_detail.html#triage", _request_context(request, item)
                )
            messages.success(request, f"“{item.title}” is now {item.get_state_display().lower()}.")
            return redirect("roadmap:request_detail", pk=item.pk)
    extra: dict[str, Any] = {"triage_error": error, "open_form": action}
    if form is not None:
        extra[name] = form
    context = _request_context(request, item, **extra)
    if request.htmx:
        return render(request, "roadmap/request_detail.html#triage", context)
    return render(request, "roadmap/request_detail.html", context, status=400)


def _commit_initial(items: list[TrainingRequest]) -> dict:
    first = items[0]
    sizes = [i.audience_size for i in items if i.audience_size]
    return {
        "title": first.title,
        "problem": "\n\n".join(i.problem for i in items),
        "priority": next((i.priority_id for i in items if i.priority_id), None),
        "audience": "; ".join(dict.fromkeys(i.audience for i in items if i.audience)),
        "audience_size": sum(sizes) if sizes else None,
        "days": sum(i.effort_days for i in items if i.effort_days) or None,
    }


@member_required(write=True)
@require_http_methods(["GET", "POST"])
def request_commit(request: AuthedRequest) -> HttpResponse:
    """Commit one or more requests as a new initiative with owner and accountable leader."""
    ids = request.POST.getlist("requests") if request.method == "POST" else []
    ids = ids or request.GET.getlist("requests")
    if not ids or not all(i.isdigit() for i in ids):
        return HttpResponseBadRequest("Choose the requests to commit.")
    items = list(TrainingRequest.objects.for_org(request.org).filter(pk__in=ids).order_by("pk"))
    if len(items) != len(set(ids)):
        raise Http404("Some of those requests do not exist.")
    form = CommitForm(request.POST or None, initial=_commit_initial(items), org=request.org)
    refused = [i for i in items if not i.can("commit")]
    if request.method == "POST" and form.is_valid() and not refused:
        try:
            initiative = services.commit_requests(
                requests=items, by=request.user, **form.initiative_fields()
            )
        except TransitionRefused as error:
            form.add_error(None, " ".join(error.messages))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Committed: “{initiative.title}” in {initiative.cycle}.")
            return redirect("roadmap:initiative_detail", pk=initiative.pk)
    context = {
        "form": form,
        "items": items,
        "refused": refused,
        "phase": "align",
        "roadmap": current_roadmap(request.org),
    }
    status = 400 if (form.errors or refused) and request.method == "POST" else 200
    return render(request, "roadmap/request_commit.html", context, status=status)


@member_required(write=True)
@require_POST
def request_bulk(request: AuthedRequest) -> HttpResponse:
    form = BulkTriageForm(request.POST, org=request.org)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"] == "commit":
            query = urlencode([("requests", r.pk) for r in data["requests"].order_by("pk")])
            return redirect(f"{reverse('roadmap:request_commit')}?{query}")
        try:
            count = services.bulk_triage(
                requests=list(data["requests"]),
                action=data["action"],
                by=request.user,
                reason=data["reason"],
                cycle=data["cycle"],
            )
        except TransitionRefused as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{count} request{pluralize(count)} updated.")
    else:
        messages.error(request, " ".join(["Nothing was changed.", *form.error_sentences()]))
    response = redirect(request.POST.get("next") or reverse("roadmap:request_list"))
    if not url_has_allowed_host_and_scheme(response.url, allowed_hosts=None):
        response = redirect("roadmap:request_list")
    return response


@member_required
@require_http_methods(["GET", "POST"])
def assess_settings(request: AuthedRequest) -> HttpResponse:
    """Scoring weights and model, and the public intake form; editors change them."""
    settings_obj = AssessSettings.for_org(request.org)
    if request.method == "POST":
        require_write(request)
    form = AssessSettingsForm(request.POST or None, instance=settings_obj)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Scoring saved: every request's score now uses it.")
        return redirect("roadmap:assess_settings")
    return _assess_settings_page(request, form, settings_obj)


def _assess_settings_page(
    request: AuthedRequest,
    form: AssessSettingsForm,
    settings_obj: AssessSettings,
    new_intake_url: str = "",
) -> HttpResponse:
    context = {
        "form": form,
        "settings_obj": settings_obj,
        "new_intake_url": new_intake_url,
        "phase": "assess",
        "roadmap": current_roadmap(request.org),
    }
    response = render(
        request, "roadmap/assess_settings.html", context, status=400 if form.errors else 200
    )
    if new_intake_url:
        response["Cache-Control"] = "no-store"  # the page holds a secret address
    return response


@member_required(admin=True)
@require_POST
def intake_address(request: AuthedRequest) -> HttpResponse:
    """A new secret address for the public form, shown once; the old one stops working."""
    settings_obj = AssessSettings.for_org(request.org)
    token = settings_obj.new_intake_address()
    url = request.build_absolute_uri(reverse("roadmap:intake", args=[token]))
    return _assess_settings_page(
        request, AssessSettingsForm(instance=settings_obj), settings_obj, url
    )


# Assess: the public side (no account) ------------------------------------------------------


def _private(response: HttpResponse, *, secret_url: bool = False) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    if secret_url:
        # The token is in the URL: never leak it through Referer. (Not on the form page:
        # with no-referrer, browsers post `Origin: null` and CSRF refuses the form.)
        response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=intake_rate, method="POST", block=False)
def intake(request: HttpRequest, token: str) -> HttpResponse:
    """The organisation's public intake form: no account, rate-limited, spam-resistant.

    Its address carries a secret the admins can replace; closed or unknown is a 404. The
    requester gets a private status link, shown once; only its hash is stored.
    """
    with scopes_disabled():  # the token says which organisation
        settings_obj = AssessSettings.find_open_intake(token)
    if settings_obj is None:
        raise Http404("No open intake form at this address.")
    org = settings_obj.org
    enter_org_scope(request, org)
    if getattr(request, "limited", False):
        return _private(too_many_requests(request))
    form = PublicTrainingRequestForm(
        request.POST or None, org=org, show_priorities=settings_obj.intake_shows_priorities
    )
    context = {"org": org, "form": form, "intro": settings_obj.intake_intro}
    if not form.is_bound:
        # Empty, the fields are the same for everyone until the organisation changes (its
        # priorities bump its version) or the year does; the stamp and CSRF token are
        # rendered apart, per visitor.
        key = cache.key(
            "intake-fields", org.pk, org.version, settings_obj.intake_shows_priorities,
            org.today().isoformat(),
        )  # fmt: skip
        context["fields_html"] = mark_safe(  # noqa: S308 (our own template's output)
            cache.get_or_build(
                key, lambda: render_to_string("roadmap/intake_form.html#fields", {"form": form})
            )
        )
    if request.method == "POST" and form.is_valid():
        item = form.save()
        token = item.issue_status_token()
        context.update(
            {
                "item": item,
                "status_url": request.build_absolute_uri(
                    reverse("roadmap:request_status", args=[token])
                ),
            }
        )
        return _private(render(request, "roadmap/intake_thanks.html", context))
    status = 400 if form.errors else 200
    return _private(render(request, "roadmap/intake_form.html", context, status=status))


@require_GET
@never_cache
@ratelimit(key="ip", rate="60/m", block=False)
def request_status(request: HttpRequest, token: str) -> HttpResponse:
    """What the requester sees behind their private link: the decision and its reason."""
    if getattr(request, "limited", False):
        return _private(too_many_requests(request), secret_url=True)
    with scopes_disabled():  # the token is what says which organisation
        item = TrainingRequest.find_by_status_token(token)
    if item is None:
        return _private(render(request, "roadmap/request_status.html", status=404), secret_url=True)
    enter_org_scope(request, item.org)
    original = None
    if item.duplicate_of_id:
        original = TrainingRequest.objects.select_related("deferred_to", "initiative__cycle").get(
            pk=item.duplicate_of_id
        )
    context = {"item": item, "original": original, "org": item.org}
    return _private(render(request, "roadmap/request_status.html", context), secret_url=True)
