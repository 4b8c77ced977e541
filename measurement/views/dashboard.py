"""The measurement dashboard: the four families' headlines, and the open alerts with the
rule beside each, acknowledged with a note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby

from django.contrib import messages
from django.core.cache import cache as django_cache
from django.db.models import Case, Count, F, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from measurement import alerts, charts, tasks
from measurement import dashboard as registry
from measurement.figures import Headline
from measurement.forms.alerts import AcknowledgeForm
from measurement.models import Alert, AlertKind, AlertRefresh, KpiFamily
from roadmap_site import cache
from roadmap_site.access import AuthedRequest, get_for_member, member_required
from roadmap_site.models import Organization

# The cards are cached under the organisation's version and the day, each source's
# headlines under the version of what it reads (measurement/dashboard.py). Roadmap-side
# changes (a stage's dates) do not bump the organisation's version, so an entry also ages out.
CARDS_TIMEOUT = 10 * 60
# A page shows what a person can read; the rest is counted, and one rule's whole list is
# a link away (`?kind=`).
SHOWN_PER_RULE = 10
ALL_OF_ONE_RULE = 500
ACKNOWLEDGED_SHOWN = 20


@dataclass(frozen=True)
class Card:
    headline: Headline
    chart: dict | None
    chart_id: str

    @property
    def trend_label(self) -> str:
        """The trend in words for a screen reader: "Oct 2026: 64 %, Nov 2026: 61 %"."""
        percent = self.headline.display.endswith("%")
        return ", ".join(
            f"{point.day:%b %Y}: "
            + (f"{point.value * 100:.0f} %" if percent else f"{point.value:g}")
            for point in self.headline.trend
        )


def _cards_html(org: Organization, today: date) -> str:
    """The cards as HTML, cached under the organisation's version and the day: a warm view
    neither computes nor renders them (no CSRF token or nonce in them to go stale)."""
    return cache.get_or_build(
        cache.key("dashboard-cards-html", org.pk, org.version, today.isoformat()),
        lambda: render_to_string(
            "measurement/dashboard.html#cards", {"families": _cards(org, today)}
        ).strip(),
        timeout=CARDS_TIMEOUT,
    )


def _cards(org: Organization, today: date) -> list[tuple[KpiFamily, list[Card]]]:
    cards = [
        Card(headline, charts.headline_trend(headline), f"chart-{n}")
        for n, headline in enumerate(registry.cached_headlines(org, today, CARDS_TIMEOUT), start=1)
    ]
    return [
        (KpiFamily(family), list(rows))
        for family, rows in groupby(cards, key=lambda card: card.headline.family)
    ]


@dataclass
class AlertGroup:
    """One rule's open, unacknowledged alerts: the first few, and how many in all."""

    kind: AlertKind
    rule_text: str
    alerts: list[Alert]
    count: int


def _alerts_context(org: Organization, *, kind: str = "", **extra) -> dict:
    """The open alerts grouped by rule, `SHOWN_PER_RULE` of each (all of `kind`, up to
    `ALL_OF_ONE_RULE`), the acknowledged ones apart, and how many of each: one query,
    whatever the number of rules or alerts (`_open_alerts_ranked`)."""
    rows = _open_alerts_ranked(org, kind=kind if alerts.rule_for(kind) else "")
    unacknowledged: dict[str, list[Alert]] = {}
    counts: dict[str, int] = {}
    acknowledged: list[Alert] = []
    acknowledged_count = 0
    for alert in rows:
        if alert.acknowledged_at is None:
            unacknowledged.setdefault(alert.kind, []).append(alert)
            counts[alert.kind] = alert.in_group  # type: ignore[attr-defined]
        else:
            acknowledged.append(alert)
            acknowledged_count = alert.in_group  # type: ignore[attr-defined]
    groups = [
        AlertGroup(
            AlertKind(rule.kind), rule.rule_text, unacknowledged[rule.kind], counts[rule.kind]
        )
        for rule in alerts.rules()
        if rule.kind in unacknowledged
    ]
    return {
        "alert_groups": groups,
        "acknowledged_alerts": acknowledged,
        "open_count": sum(counts.values()),
        "acknowledged_count": acknowledged_count,
        "alert_rules": alerts.rules(),
        **extra,
    }


def _open_alerts_ranked(org: Organization, *, kind: str = "") -> list[Alert]:
    """The open alerts the dashboard shows, in one query: the unacknowledged ones numbered
    within their kind in the model's order (first seen, then pk), the acknowledged ones
    numbered together, latest acknowledgement first; the first `SHOWN_PER_RULE` of each
    kind (`ALL_OF_ONE_RULE` of `kind`) and `ACKNOWLEDGED_SHOWN` acknowledged ones are kept.
    Each row carries `in_group`, how many alerts its group has in all (a window count, so
    no separate count query), and `place`, its number within the group."""
    acknowledged = Q(acknowledged_at__isnull=False)
    # The unacknowledged ones are grouped by kind, the acknowledged ones all together.
    group = [
        Case(When(acknowledged, then=Value(1)), default=Value(0)),
        Case(When(acknowledged, then=Value("")), default=F("kind")),
    ]
    limit = Case(
        When(acknowledged, then=Value(ACKNOWLEDGED_SHOWN)),
        When(kind=kind, then=Value(ALL_OF_ONE_RULE)),
        default=Value(SHOWN_PER_RULE),
    )
    return list(
        Alert.objects.for_org(org)
        .open()
        .select_related("owner", "acknowledged_by")
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=group,
                order_by=[F("acknowledged_at").desc(nulls_last=True), "first_seen", "pk"],
            ),
            in_group=Window(Count("pk"), partition_by=group),
            limit=limit,
        )
        .filter(place__lte=F("limit"))
        .order_by("place", "pk")
    )


# How often a dashboard whose alerts are behind the data asks again for their refresh
# (the write that moved the data asked first; this covers a lost task and a new day).
ASK_AGAIN_AFTER = 60


def _alerts_behind(org: Organization, today: date) -> bool:
    """Whether the alerts were worked out from older data or on another day; if so, ask
    for their refresh (once a minute at most, whoever looks). A read: the refresh is a
    task (measurement/tasks.py), sent once this request's transaction is done."""
    if not AlertRefresh.is_stale(org, today):
        return False
    if django_cache.add(
        cache.key("alerts-asked", org.pk, org.version, today.isoformat()), 1, ASK_AGAIN_AFTER
    ):
        tasks.refresh_alerts_soon(org)
    return True


@member_required
@require_GET
def dashboard(request: AuthedRequest) -> HttpResponse:
    """The cards and the alerts; with `HX-Request` and `part=alerts`, the alerts alone (what
    the page polls while they are being brought up to date)."""
    org = request.org
    today = org.today()
    kind = request.GET.get("kind", "")
    context = {
        "today": today,
        "kind": kind if alerts.rule_for(kind) else "",
        "alerts_behind": _alerts_behind(org, today),
        **_alerts_context(org, kind=kind),
    }
    if request.htmx and request.GET.get("part") == "alerts":
        return render(request, "measurement/dashboard.html#alerts", context)
    context["cards_html"] = mark_safe(_cards_html(org, today))  # noqa: S308 (our template)
    return render(request, "measurement/dashboard.html", context)


@member_required(write=True)
@require_POST
def alert_acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    alert = get_for_member(request, Alert.objects.open(), pk=pk)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        context = _alerts_context(request.org, ack_error_for=alert.pk, ack_form=form)
        if request.htmx:
            response = render(request, "measurement/dashboard.html#alerts", context, status=400)
            return reswap(retarget(response, "#alerts"), "outerHTML")
        today = request.org.today()
        context.update(cards_html=mark_safe(_cards_html(request.org, today)), today=today)  # noqa: S308
        return render(request, "measurement/dashboard.html", context, status=400)
    alert.acknowledge(by=request.user, note=form.cleaned_data["note"])
    if request.htmx:
        context = _alerts_context(request.org, acknowledged_now=alert)
        return render(request, "measurement/dashboard.html#alerts", context)
    messages.success(request, f"Acknowledged: {alert.title}")
    return redirect(reverse("measurement:dashboard") + "#alerts")
