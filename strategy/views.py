"""Strategy pages: the year's strategy (vision, canvas, priorities), its one-pager, the
maturity self-assessment, listening sessions and their themes. htmx requests get a
fragment of the same template."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from measurement.models import STATUS_RULE
from roadmap_site import cache
from roadmap_site.access import AuthedRequest, get_for_member, member_required, require_write
from roadmap_site.cache import bump_org
from roadmap_site.partials import page_or_partial
from strategy import charts, maturity, services
from strategy.forms import (
    AnswerForm,
    ListeningSessionForm,
    MaturityForm,
    MoveForm,
    PriorityForm,
    StrategyForm,
    ThemeForm,
    ThemeMergeForm,
    ThemeRenameForm,
)
from strategy.models import (
    CanvasAnswer,
    ListeningSession,
    MaturityAssessment,
    Priority,
    Question,
    Strategy,
    Theme,
)
from strategy.themes import suggest_themes

# The strategy ---------------------------------------------------------------------------


@member_required
@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    """This fiscal year's strategy, else the latest; an empty state when there is none."""
    strategies = Strategy.objects.for_org(request.org)
    this_year = request.org.fiscal_year_of(timezone.localdate())
    strategy = strategies.for_year(this_year).first() or strategies.first()
    if strategy is not None:
        return redirect("strategy:strategy_detail", pk=strategy.pk)
    return render(request, "strategy/home.html", {"form": StrategyForm(org=request.org)})


@member_required(write=True)
@require_POST
def strategy_create(request: AuthedRequest) -> HttpResponse:
    form = StrategyForm(request.POST, org=request.org)
    if not form.is_valid():
        return render(request, "strategy/home.html", {"form": form}, status=400)
    strategy = Strategy.start(
        org=request.org, fiscal_year=form.cleaned_data["fiscal_year"], created_by=request.user
    )
    messages.success(request, f"{strategy} started. Answer the canvas questions first.")
    return redirect("strategy:strategy_detail", pk=strategy.pk)


def priorities_context(strategy: Strategy, form: PriorityForm | None = None) -> dict:
    return {
        "strategy": strategy,
        "priorities": list(strategy.priorities.with_kpi().ranked()),
        "priority_form": form or PriorityForm(strategy=strategy),
    }


def strategy_context(strategy: Strategy) -> dict:
    """Vision, canvas and priorities: a fixed number of queries however many priorities."""
    answers = strategy.answers_by_question()
    context = priorities_context(strategy)
    context.update(
        {
            "vision": answers.get(Question.VISION),
            "canvas": [answers[q] for q in Question if q != Question.VISION and q in answers],
            "strategies": list(Strategy.objects.for_org(strategy.org).only("pk", "fiscal_year")),
            "start_form": StrategyForm(org=strategy.org),
        }
    )
    return context


@member_required
@require_GET
def strategy_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The strategy, rendered once per organisation version (answers, priorities, people
    and KPI values bump it), day (a KPI's status follows the calendar) and reader role."""
    strategy = get_for_member(request, Strategy.objects.select_related("org"), pk=pk)
    org = strategy.org
    key = cache.key(
        "strategy", strategy.pk, org.version, org.today().isoformat(),
        request.membership.can_write,
    )  # fmt: skip
    body = cache.render_fragment(
        request, key, "strategy/strategy_detail.html#body", lambda: strategy_context(strategy)
    )
    context = {"strategy": strategy, "body_html": body}
    return render(request, "strategy/strategy_detail.html", context)


@member_required
@require_GET
def one_pager(request: AuthedRequest, pk: int) -> HttpResponse:
    strategy = get_for_member(request, Strategy.objects.select_related("org"), pk=pk)
    context = strategy_context(strategy)
    context["status_rule"] = STATUS_RULE
    return render(request, "strategy/one_pager.html", context)


# Canvas answers, edited in place ---------------------------------------------------------


def _answer(request: AuthedRequest, pk: int) -> CanvasAnswer:
    return get_for_member(
        request, CanvasAnswer.objects.select_related("updated_by", "strategy"), pk=pk
    )


@member_required
@require_GET
def answer_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    answer = _answer(request, pk)
    if not request.htmx:
        return redirect(
            reverse("strategy:strategy_detail", args=[answer.strategy_id]) + f"#answer-{pk}"
        )
    return render(request, "strategy/answer_edit.html#answer", {"answer": answer})


@member_required(write=True)
@require_http_methods(["GET", "POST"])
def answer_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    answer = _answer(request, pk)
    form = AnswerForm(request.POST or None, initial={"text": answer.text})
    if request.method == "POST" and form.is_valid():
        changed = answer.revise(form.cleaned_data["text"], by=request.user)
        if changed:
            bump_org(request.org)  # share pages show the vision
        if request.htmx:
            return render(request, "strategy/answer_edit.html#answer", {"answer": answer})
        if changed:
            messages.success(request, "Answer saved.")
        return redirect(
            reverse("strategy:strategy_detail", args=[answer.strategy_id]) + f"#answer-{pk}"
        )
    template = page_or_partial(request, "strategy/answer_edit.html", "answer-form")
    return render(request, template, {"answer": answer, "form": form})


@member_required
@require_GET
def answer_history(request: AuthedRequest, pk: int) -> HttpResponse:
    answer = _answer(request, pk)
    history = answer.revisions  # type: ignore[attr-defined]  # simple_history is untyped
    revisions = list(history.select_related("history_user").order_by("-history_date"))
    template = page_or_partial(request, "strategy/answer_history.html", "history")
    return render(request, template, {"answer": answer, "revisions": revisions})


# Priorities ------------------------------------------------------------------------------


@member_required(write=True)
@require_POST
def priority_create(request: AuthedRequest, pk: int) -> HttpResponse:
    strategy = get_for_member(request, Strategy.objects.select_related("org"), pk=pk)
    form = PriorityForm(request.POST, strategy=strategy)
    if form.is_valid():
        priority = form.save()
        bump_org(request.org)  # roadmaps, requests and share pages name the priorities
        if request.htmx:
            context = priorities_context(strategy)
            return render(request, "strategy/strategy_detail.html#priorities", context)
        messages.success(request, f"“{priority.capability}” added.")
        return redirect("strategy:strategy_detail", pk=strategy.pk)
    if request.htmx:
        # A mistake is a normal answer: the block comes back with the form's errors.
        context = priorities_context(strategy, form)
        return render(request, "strategy/strategy_detail.html#priorities", context)
    context = strategy_context(strategy)
    context["priority_form"] = form
    return render(request, "strategy/strategy_detail.html", context, status=400)


@member_required(write=True)
@require_http_methods(["GET", "POST"])
def priority_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    priority = get_for_member(request, Priority.objects.select_related("strategy__org"), pk=pk)
    form = PriorityForm(request.POST or None, instance=priority, strategy=priority.strategy)
    if request.method == "POST" and form.is_valid():
        form.save()
        bump_org(request.org)  # roadmaps, requests and share pages name the priorities
        messages.success(request, f"“{priority.capability}” saved.")
        return redirect(
            reverse("strategy:strategy_detail", args=[priority.strategy_id])
            + f"#priority-{priority.pk}"
        )
    return render(
        request,
        "strategy/priority_form.html",
        {"form": form, "priority": priority, "strategy": priority.strategy},
        status=400 if form.errors else 200,
    )


@member_required(write=True)
@require_POST
def priority_move(request: AuthedRequest, pk: int) -> HttpResponse:
    priority = get_for_member(request, Priority.objects.select_related("strategy__org"), pk=pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Move up or down.", status=400)
    priority.move(up=form.cleaned_data["direction"] == "up")
    bump_org(request.org)  # a request's score reads its priority's rank
    if request.htmx:
        context = priorities_context(priority.strategy)
        context["moved"] = priority.pk
        return render(request, "strategy/strategy_detail.html#priorities", context)
    return redirect(
        reverse("strategy:strategy_detail", args=[priority.strategy_id])
        + f"#priority-{priority.pk}"
    )


@member_required(write=True)
@require_POST
def priority_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    priority = get_for_member(request, Priority.objects.select_related("strategy__org"), pk=pk)
    strategy = priority.strategy
    priority.delete()
    bump_org(request.org)  # the initiatives and requests that served it serve none now
    if request.htmx:
        return render(
            request, "strategy/strategy_detail.html#priorities", priorities_context(strategy)
        )
    messages.success(request, f"“{priority.capability}” removed.")
    return redirect("strategy:strategy_detail", pk=strategy.pk)


# Maturity self-assessment ----------------------------------------------------------------


def assessment_context(
    latest: MaturityAssessment | None, previous: MaturityAssessment | None
) -> dict:
    if latest is None:
        return {"latest": None}
    return {
        "latest": latest,
        "previous": previous,
        "results": latest.results(previous),
        "next_moves": latest.next_moves(),
        "score_change": latest.score_change(previous),
        "chart": charts.maturity_radar(latest, previous),
    }


@member_required
@require_GET
def maturity_list(request: AuthedRequest) -> HttpResponse:
    """The latest result, its radar against the one before, and every past assessment."""
    assessments = list(MaturityAssessment.objects.for_org(request.org).latest_first())
    history = [
        (a, a.score_change(assessments[i + 1] if i + 1 < len(assessments) else None))
        for i, a in enumerate(assessments)
    ]
    context = assessment_context(
        assessments[0] if assessments else None, assessments[1] if len(assessments) > 1 else None
    )
    context.update({"history": history, "levels": maturity.LEVELS})
    return render(request, "strategy/maturity_list.html", context)


@member_required(write=True)
@require_http_methods(["GET", "POST"])
def maturity_create(request: AuthedRequest) -> HttpResponse:
    form = MaturityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assessment = MaturityAssessment.objects.create(
            org=request.org,
            taken_on=form.cleaned_data["taken_on"],
            taken_by=request.user,
            levels=form.levels(),
            notes=form.cleaned_data["notes"],
        )
        messages.success(request, "Self-assessment saved.")
        return redirect("strategy:maturity_detail", pk=assessment.pk)
    return render(
        request,
        "strategy/maturity_form.html",
        {"form": form, "levels": maturity.LEVELS},
        status=400 if form.errors else 200,
    )


@member_required
@require_GET
def maturity_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    assessment = get_for_member(
        request, MaturityAssessment.objects.select_related("taken_by"), pk=pk
    )
    context = assessment_context(assessment, assessment.previous())
    context["levels"] = maturity.LEVELS
    return render(request, "strategy/maturity_detail.html", context)


# Listening sessions and themes ------------------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def listening_list(request: AuthedRequest) -> HttpResponse:
    form = ListeningSessionForm(request.POST or None, org=request.org)
    if request.method == "POST":
        require_write(request)
        if form.is_valid():
            session = form.save(commit=False)
            session.created_by = request.user
            session.save()
            messages.success(request, f"Notes from {session.person} saved.")
            return redirect("strategy:listening_list")
    context = {
        "sessions": list(ListeningSession.objects.for_org(request.org).latest_first()),
        "form": form,
    }
    return render(
        request, "strategy/listening_list.html", context, status=400 if form.errors else 200
    )


@member_required(write=True)
@require_http_methods(["GET", "POST"])
def listening_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_for_member(request, ListeningSession, pk=pk)
    form = ListeningSessionForm(request.POST or None, instance=session, org=request.org)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Notes saved.")
        return redirect("strategy:listening_list")
    return render(
        request,
        "strategy/listening_form.html",
        {"form": form, "session": session},
        status=400 if form.errors else 200,
    )


def quoted_by_session(themes: list[Theme]) -> dict[int, list[str]]:
    quoted: dict[int, list[str]] = {}
    for theme in themes:
        for mention in theme.mentions.all():
            quoted.setdefault(mention.session_id, []).append(mention.quote)
    return quoted


def themes_context(request: AuthedRequest, form: ThemeForm | None = None) -> dict:
    """Accepted themes with counts by department and their quotes, and what the notes
    suggest next. A fixed number of queries however many themes and sessions."""
    themes = list(Theme.objects.for_org(request.org).with_mentions())
    sessions = list(ListeningSession.objects.for_org(request.org).select_related("person"))
    departments = sorted(
        {m.session.department or "No department" for t in themes for m in t.mentions.all()}
    )
    rows = []
    for theme in themes:
        counts = theme.counts_by_department()
        rows.append(
            {
                "theme": theme,
                "counts": [counts.get(d, 0) for d in departments],
                "total": sum(counts.values()),
                "rename_form": ThemeRenameForm(instance=theme, prefix=f"t{theme.pk}"),
            }
        )
    for row in rows:
        # The merge choices come from the themes already loaded, not one query per theme.
        row["others"] = [t for t in themes if t.pk != row["theme"].pk]
    return {
        "rows": rows,
        "departments": departments,
        "suggestions": suggest_themes(
            sessions,
            exclude=[t.name for t in themes],
            quoted=quoted_by_session(themes),
        ),
        "session_count": len(sessions),
        "theme_form": form or ThemeForm(org=request.org),
    }


@member_required
@require_GET
def theme_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "strategy/theme_list.html", themes_context(request))


@member_required(write=True)
@require_POST
def theme_create(request: AuthedRequest) -> HttpResponse:
    """Accept a suggested theme (or one the team names), renamed as the team likes."""
    form = ThemeForm(request.POST, org=request.org)
    if not form.is_valid():
        return render(
            request, "strategy/theme_list.html", themes_context(request, form), status=400
        )
    theme = services.accept_theme(
        org=request.org,
        name=form.cleaned_data["name"],
        phrase=form.cleaned_data["phrase"],
        created_by=request.user,
    )
    count = theme.mentions.count()
    messages.success(
        request, f"Theme “{theme.name}” added with {count} session{'s' if count != 1 else ''}."
    )
    return redirect(reverse("strategy:theme_list") + f"#theme-{theme.pk}")


@member_required(write=True)
@require_POST
def theme_rename(request: AuthedRequest, pk: int) -> HttpResponse:
    theme = get_for_member(request, Theme, pk=pk)
    form = ThemeRenameForm(request.POST, instance=theme, prefix=f"t{theme.pk}")
    if form.is_valid():
        form.save()
        messages.success(request, f"Theme renamed to “{theme.name}”.")
    else:
        errors = form.errors.get("name", ["Give the theme a name."])
        messages.error(request, " ".join(map(str, errors)))
    return redirect(reverse("strategy:theme_list") + f"#theme-{theme.pk}")


@member_required(write=True)
@require_POST
def theme_merge(request: AuthedRequest, pk: int) -> HttpResponse:
    theme = get_for_member(request, Theme, pk=pk)
    form = ThemeMergeForm(request.POST, theme=theme, prefix=f"m{theme.pk}")
    if not form.is_valid():
        return HttpResponse("Choose another theme of this organisation.", status=400)
    into = theme.merge_into(form.cleaned_data["into"])
    messages.success(request, f"“{theme.name}” merged into “{into.name}”.")
    return redirect(reverse("strategy:theme_list") + f"#theme-{into.pk}")


@member_required(write=True)
@require_POST
def theme_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    theme = get_for_member(request, Theme, pk=pk)
    theme.delete()
    messages.success(request, f"Theme “{theme.name}” removed; the notes are untouched.")
    return redirect("strategy:theme_list")
