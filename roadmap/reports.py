"""What the quarterly leader report says: its quarter, its sections and its PDF.

A report is a snapshot: `build_snapshot` asks each section provider once and stores the
JSON; the PDF and the e-mail are rendered from that JSON alone, never from live rows, so a
past quarter reads the same however the roadmap changes afterwards.

Sections are a list of providers, each a name, a heading, a function
`(roadmap, quarter) -> JSON-able dict` and the template partial that prints it. Another
part of the product adds its own with `register_section` (in `AppConfig.ready()`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint.urls import URLFetcher

from measurement import charts as measurement_charts
from measurement import dashboard, roi, surveys
from measurement.figures import Headline, TrendPoint
from measurement.models import (
    Alert,
    Kpi,
    KpiFamily,
    KpiStatus,
    KpiValue,
    Program,
    SurveyResponse,
)
from roadmap import iterate
from roadmap.models import (
    Cycle,
    Initiative,
    InitiativeStatus,
    Roadmap,
    change_log,
)
from roadmap_site.models import Organization
from roadmap_site.pdf import (
    Chart,
    ChartFetcher,
    ChartRenderer,
    ChartUnavailable,
    describe_figure,
    render_pdf,
)

# Long lists are cut in the document: a leader reads the first ones and the count.
MAX_CHANGES = 40
MAX_ALERTS = 25


# Quarters and the schedule ------------------------------------------------------------


@dataclass(frozen=True)
class Quarter:
    """A fiscal quarter of an organisation, and the day its figures are read on."""

    start: date
    end: date
    label: str
    as_of: date  # the quarter's last day, or an earlier day for a report "so far"

    @classmethod
    def of(cls, org: Organization, day: date, *, as_of: date | None = None) -> Quarter:
        start, end = org.fiscal_quarter_bounds(day)
        return cls(start, end, org.fiscal_quarter_label(day), min(as_of or end, end))

    def next(self, org: Organization) -> Quarter:
        return Quarter.of(org, self.end + timedelta(days=1))

    def holds(self, moment: datetime, zone) -> bool:
        return self.start <= moment.astimezone(zone).date() <= self.end


def first_working_day(day: date) -> date:
    """`day`, or the Monday after it when it falls on a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def quarter_due(org: Organization, today: date) -> Quarter | None:
    """The quarter whose report is due on `today` (the organisation's date): the one that
    just ended, from the first working day (Monday to Friday) of the quarter after it. None
    before that day. The same quarter stays due all quarter long, so a missed hour or day
    is caught up; its report row is what stops it being built twice."""
    current_start, _ = org.fiscal_quarter_bounds(today)
    if today < first_working_day(current_start):
        return None
    return Quarter.of(org, current_start - timedelta(days=1))


# Sections -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    name: str
    heading: str
    build: Callable[[Roadmap, Quarter], dict]
    template: str  # "roadmap/report_sections.html#<partial>"


_sections: list[Section] = []


def register_section(section: Section, *, after: str | None = None) -> Section:
    """Add a section (once; a second `ready()` adds nothing), last or after `after`."""
    if any(s.name == section.name for s in _sections):
        return section
    names = [s.name for s in _sections]
    _sections.insert(names.index(after) + 1 if after in names else len(_sections), section)
    return section


def sections() -> list[Section]:
    return list(_sections)


def _person(person) -> str:
    return person.name if person is not None else ""


def _cycles_in(roadmap: Roadmap, quarter: Quarter) -> list[Cycle]:
    return list(roadmap.cycles.filter(start__lte=quarter.end, end__gte=quarter.start))


def _initiative_row(initiative: Initiative) -> dict:
    return {
        "title": initiative.title,
        "status": initiative.status,
        "status_label": initiative.get_status_display(),
        "owner": _person(initiative.owner),
        "accountable": _person(initiative.accountable),
        "cycle": initiative.cycle.name if initiative.cycle else "",
        "priority": initiative.priority.capability if initiative.priority else "",
        "kpi": initiative.kpi.name if initiative.kpi else "",
    }


def commitments_section(roadmap: Roadmap, quarter: Quarter) -> dict:
    """What was committed for the quarter's cycles, and where each commitment ended up."""
    cycles = _cycles_in(roadmap, quarter)
    rows = [
        _initiative_row(i)
        for i in roadmap.initiatives.for_ledger()
        .filter(cycle__in=cycles)
        .exclude(status=InitiativeStatus.PROPOSED)
    ]
    counts = Counter(row["status"] for row in rows)
    return {
        "cycles": [c.name for c in cycles],
        "initiatives": rows,
        "committed": len(rows),
        "delivered": counts[InitiativeStatus.DELIVERED],
        "in_progress": counts[InitiativeStatus.IN_PROGRESS] + counts[InitiativeStatus.COMMITTED],
        "stopped": counts[InitiativeStatus.STOPPED],
    }


def changes_section(roadmap: Roadmap, quarter: Quarter) -> dict:
    """The change log's entries dated in the quarter (the organisation's calendar)."""
    zone = roadmap.org.zone
    entries = [e for e in change_log(roadmap) if quarter.holds(e.when, zone)]
    return {
        "total": len(entries),
        "entries": [
            {
                "title": e.title,
                "when": e.when.astimezone(zone).strftime("%-d %b %Y"),
                "who": str(e.who) if e.who else "Someone",
                "kind": e.kind,
                "changes": [
                    {"label": c.label, "before": c.before, "after": c.after} for c in e.changes
                ],
                "justification": e.justification,
            }
            for e in entries[:MAX_CHANGES]
        ],
    }


def _trend_display(value: float, percent: bool) -> str:
    return f"{value * 100:.0f} %" if percent else f"{value:g}"


def kpis_section(roadmap: Roadmap, quarter: Quarter) -> dict:
    """The dashboard's four families of figures on the quarter's last day, each with its
    status and trend points (drawn as the dashboard's chart; a table when no browser can)."""
    families = []
    for family in KpiFamily:
        cards = []
        for headline in dashboard.headlines(roadmap.org, quarter.as_of):
            if headline.family != family:
                continue
            percent = headline.display.endswith("%")
            cards.append(
                {
                    "title": headline.title,
                    "display": headline.display,
                    "status": headline.status.value if headline.status else "",
                    "status_label": headline.status.label if headline.status else "",
                    "note": headline.note,
                    "rule": headline.rule,
                    "trend": [
                        {
                            "day": point.day.isoformat(),
                            "label": f"{point.day:%b %Y}",
                            "value": point.value,
                            "display": _trend_display(point.value, percent),
                        }
                        for point in headline.trend
                        if point.day <= quarter.as_of
                    ],
                }
            )
        if cards or family != KpiFamily.CUSTOM:
            families.append({"family": family.value, "label": family.label, "cards": cards})
    return {"families": families, "kpis": _roadmap_kpis(roadmap, quarter)}


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


# A report charts this many of the roadmap's KPIs (those needing attention first); its
# table lists them all. A roadmap tied to 200 KPIs gets a readable document, not 200 charts.
MAX_KPI_CHARTS = 4
_CHART_FIRST = [KpiStatus.OFF_TRACK, KpiStatus.AT_RISK, KpiStatus.ON_TRACK, KpiStatus.NO_TARGET]


def _roadmap_kpis(roadmap: Roadmap, quarter: Quarter) -> list[dict]:
    """The KPIs the roadmap's initiatives say show their success: baseline, target, and the
    latest value and status as of the quarter's last day (a later reading does not leak
    into a past quarter). Up to `MAX_KPI_CHARTS` of them, off track first, then at risk,
    keep their values up to then, segments included: their charts are drawn from these."""
    kpis = list(
        Kpi.objects.for_org(roadmap.org)
        .filter(initiatives__roadmap=roadmap)
        .distinct()
        .order_by("family", "name")
    )
    overall: dict[int, list[KpiValue]] = {kpi.pk: [] for kpi in kpis}
    for value in (
        KpiValue.objects.overall()
        .filter(kpi__in=kpis, date__lte=quarter.as_of)
        .only("kpi_id", "date", "segment", "value")
        .order_by("date", "pk")
    ):
        overall[value.kpi_id].append(value)
    assessments = {kpi.pk: kpi.assess(overall[kpi.pk]) for kpi in kpis}
    ranked = sorted(
        (kpi for kpi in kpis if assessments[kpi.pk].status in _CHART_FIRST),
        key=lambda kpi: _CHART_FIRST.index(assessments[kpi.pk].status),
    )
    charted: dict[int, list[dict]] = {kpi.pk: [] for kpi in ranked[:MAX_KPI_CHARTS]}
    for value in (
        KpiValue.objects.filter(kpi__in=list(charted), date__lte=quarter.as_of)
        .only("kpi_id", "date", "segment", "value")
        .order_by("date", "segment", "pk")
    ):
        charted[value.kpi_id].append(
            {
                "date": value.date.isoformat(),
                "segment": value.segment,
                "value": _number(value.value),
            }
        )
    rows = []
    for kpi in kpis:
        values, assessment = overall[kpi.pk], assessments[kpi.pk]
        rows.append(
            {
                "name": kpi.name,
                "family": kpi.get_family_display(),
                "unit": kpi.unit,
                "baseline": _number(kpi.baseline),
                "target": _number(kpi.target),
                "latest": _number(values[-1].value) if values else "",
                "status": assessment.status.value,
                "status_label": assessment.label,
                "baseline_date": kpi.baseline_date.isoformat() if kpi.baseline_date else "",
                "target_date": kpi.target_date.isoformat() if kpi.target_date else "",
                "values": charted.get(kpi.pk, []),
            }
        )
    return rows


def nps_roi_section(roadmap: Roadmap, quarter: Quarter) -> dict:
    """NPS and ROI of the roadmap's programs that have any (responses up to the quarter's
    end); empty when none has, and the document leaves the section out."""
    programs = list(
        Program.objects.for_org(roadmap.org)
        .filter(initiative__roadmap=roadmap)
        .select_related("initiative")
        .order_by("initiative__title")
    )
    if not programs:
        return {"programs": []}
    responses = SurveyResponse.objects.for_org(roadmap.org).filter(
        program__in=programs, responded_on__lte=quarter.as_of
    )
    scores = surveys.nps_by_program(responses)
    returns = roi.roi_by_program(roadmap.org)
    rows = []
    for program in programs:
        nps = scores.get(program.pk, surveys.Nps())
        result = returns.get(program.pk, roi.Roi())
        if not nps.n and result.is_empty:
            continue
        rows.append(
            {
                "title": program.initiative.title,
                "nps": nps.display if nps.n else "",
                "nps_note": nps.note if nps.n else "",
                "roi": result.display if not result.is_empty else "",
                "roi_note": result.note if not result.is_empty else "",
            }
        )
    pooled = surveys.pooled(scores.get(p.pk, surveys.Nps()) for p in programs)
    total = roi.total(returns.get(p.pk, roi.Roi()) for p in programs)
    return {
        "programs": rows,
        "nps": pooled.display if pooled.n else "",
        "roi": total.display if not total.is_empty else "",
        "nps_rule": surveys.NPS_RULE,
        "roi_rule": roi.ROI_RULE,
    }


def next_quarter_section(roadmap: Roadmap, quarter: Quarter) -> dict:
    following = quarter.next(roadmap.org)
    cycles = _cycles_in(roadmap, following)
    initiatives = list(roadmap.initiatives.for_ledger().filter(cycle__in=cycles))
    committed = [i for i in initiatives if i.is_committed]
    return {
        "label": following.label,
        "cycles": [c.name for c in cycles],
        "initiatives": [_initiative_row(i) for i in committed],
        "proposed": len(initiatives) - len(committed),
    }


def alerts_section(roadmap: Roadmap, quarter: Quarter) -> dict:
    """The organisation's measurement alerts open when the report was built."""
    open_alerts = Alert.objects.for_org(roadmap.org).open().select_related("owner")
    rows = list(open_alerts.order_by("kind", "first_seen", "pk")[:MAX_ALERTS])
    return {
        "total": open_alerts.count(),
        "alerts": [
            {
                "title": a.title,
                "kind": a.get_kind_display(),
                "detail": a.detail,
                "owner": _person(a.owner),
                "since": a.first_seen.astimezone(roadmap.org.zone).strftime("%-d %b %Y"),
                "acknowledged": a.acknowledged_at is not None,
            }
            for a in rows
        ],
    }


def _day_start(day: date, zone) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def decisions_section(roadmap: Roadmap, quarter: Quarter) -> dict:
    """The keep/scale/revise/stop decisions taken in the quarter, each with the evidence it
    rested on as the decision recorded it (not as it reads today)."""
    zone = roadmap.org.zone
    decisions = (
        roadmap.decisions.filter(
            decided_at__gte=_day_start(quarter.start, zone),
            decided_at__lt=_day_start(quarter.as_of + timedelta(days=1), zone),
        )
        .select_related("initiative", "decided_by")
        .order_by("decided_at", "pk")
    )
    return {
        "decisions": [
            {
                "title": d.initiative.title,
                "kind": d.kind,
                "kind_label": d.get_kind_display(),
                "rationale": d.rationale,
                "learnings": d.learnings,
                "by": str(d.decided_by) if d.decided_by else "",
                "when": d.decided_at.astimezone(zone).strftime("%-d %b %Y"),
                "evidence": [
                    {"label": row["label"], "summary": row["summary"]}
                    for row in d.evidence.get("rows", [])
                ],
            }
            for d in decisions
        ],
    }


def _diff_items(items: list[iterate.DiffItem], zone) -> list[dict]:
    return [
        {
            "title": item.title,
            "differences": [
                {"label": d.label, "before": d.before, "after": d.after} for d in item.differences
            ],
            "reasons": [
                {
                    "who": r.who,
                    "when": r.when.astimezone(zone).strftime("%-d %b %Y"),
                    "text": r.text,
                }
                for r in item.reasons
            ],
        }
        for item in items
    ]


def review_section(roadmap: Roadmap, quarter: Quarter) -> dict:
    """The quarterly review of this quarter (or the last one before its end) compared with
    the review before it: the roadmap diff, from the reviews' frozen snapshots."""
    zone = roadmap.org.zone
    reviews = roadmap.reviews.filter(
        reviewed_at__lt=_day_start(quarter.as_of + timedelta(days=1), zone)
    ).order_by("-reviewed_at", "-pk")
    review = reviews.filter(quarter_start=quarter.start).first() or reviews.first()
    if review is None:
        return {"review": None}
    diff = iterate.review_diff(review)
    return {
        "review": {
            "quarter": review.quarter_label,
            "when": review.reviewed_at.astimezone(zone).strftime("%-d %b %Y"),
            "by": str(review.reviewed_by) if review.reviewed_by else "",
            "notes": review.notes,
            "this_quarter": review.quarter_start == quarter.start,
        },
        "first": diff.first,
        "since": diff.before_at.astimezone(zone).strftime("%-d %b %Y") if diff.before_at else "",
        "count": diff.count,
        "kinds": [
            {"key": key, "heading": heading, "items": _diff_items(items, zone)}
            for key, heading, items in diff.sections
            if items
        ],
    }


SECTIONS_TEMPLATE = "roadmap/report_sections.html"
for _section in (
    Section("commitments", "Committed and delivered", commitments_section, "commitments"),
    Section("changes", "What changed and why", changes_section, "changes"),
    Section(
        "review", "The quarterly review: the roadmap since the last one", review_section, "review"
    ),
    Section("kpis", "KPIs: the four families", kpis_section, "kpis"),
    Section("nps_roi", "NPS and ROI", nps_roi_section, "nps-roi"),
    Section("decisions", "Decisions: keep, scale, revise or stop", decisions_section, "decisions"),
    Section("next_quarter", "Next quarter", next_quarter_section, "next-quarter"),
    Section("alerts", "Open alerts", alerts_section, "alerts"),
):
    register_section(
        Section(
            _section.name,
            _section.heading,
            _section.build,
            f"{SECTIONS_TEMPLATE}#{_section.template}",
        )
    )


# The snapshot -----------------------------------------------------------------------------


# 2: the roadmap KPIs keep their values and baseline and target dates (their charts).
SNAPSHOT_VERSION = 2


def build_snapshot(roadmap: Roadmap, quarter: Quarter, *, taken: date) -> dict:
    """Everything the report shows, as JSON: each section's data under its name. `taken`:
    the organisation's date; before the quarter is over the report says "so far"."""
    org = roadmap.org
    following = quarter.next(org)
    built = timezone.now().astimezone(org.zone)
    return {
        "version": SNAPSHOT_VERSION,
        "org": org.name,
        "roadmap": roadmap.title,
        "roadmap_id": roadmap.pk,
        "quarter": quarter.label,
        "start": quarter.start.isoformat(),
        "end": quarter.end.isoformat(),
        "as_of": quarter.as_of.isoformat(),
        "period": f"{quarter.start:%-d %B %Y} to {quarter.end:%-d %B %Y}",
        "as_of_display": f"{quarter.as_of:%-d %B %Y}",
        "final": taken > quarter.end,
        "next_quarter": following.label,
        "built_at": built.strftime("%-d %B %Y, %H:%M %Z"),
        "built_iso": built.isoformat(timespec="seconds"),
        # A list, not an object: PostgreSQL's jsonb does not keep an object's key order,
        # and the document's order must be the one it was built with.
        "sections": [
            {"name": s.name, "heading": s.heading, "data": s.build(roadmap, quarter)}
            for s in _sections
        ],
    }


def section_data(snapshot: dict) -> dict[str, dict]:
    """Each section's data by name."""
    return {section["name"]: section["data"] for section in snapshot.get("sections", [])}


def summary(snapshot: dict) -> list[str]:
    """A few lines for the e-mail body and the page: the report at a glance."""
    data = section_data(snapshot)
    lines = []
    if commitments := data.get("commitments"):
        lines.append(
            f"{commitments['delivered']} of {commitments['committed']} "
            f"commitment{'s' if commitments['committed'] != 1 else ''} delivered"
            + (f", {commitments['stopped']} stopped" if commitments["stopped"] else "")
            + "."
        )
    if changes := data.get("changes"):
        n = changes["total"]
        lines.append(f"{n} change{'s' if n != 1 else ''} to the roadmap this quarter.")
    if kpis := data.get("kpis"):
        statuses = Counter(kpi["status"] for kpi in kpis["kpis"])
        if kpis["kpis"]:
            parts = [
                f"{statuses[s.value]} {s.label.lower()}"
                for s in (KpiStatus.ON_TRACK, KpiStatus.AT_RISK, KpiStatus.OFF_TRACK)
                if statuses[s.value]
            ]
            lines.append("KPIs: " + (", ".join(parts) or "none with a target yet") + ".")
    if decided := data.get("decisions", {}).get("decisions"):
        kinds = Counter(d["kind_label"].lower() for d in decided)
        lines.append(
            "Decisions: " + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) + "."
        )
    if alerts := data.get("alerts"):
        n = alerts["total"]
        lines.append(f"{n} open alert{'s' if n != 1 else ''}." if n else "No open alerts.")
    if following := data.get("next_quarter"):
        n = len(following["initiatives"])
        lines.append(f"{n} commitment{'s' if n != 1 else ''} for {following['label']}.")
    return lines


# The document -----------------------------------------------------------------------------


# Charts: the pages' own figure functions, fed from the snapshot -------------------------

# A dashboard card's trend is 90 px high; on paper it gets room to be read off.
CARD_CHART_HEIGHT = 190
CARD_CHART_FONT_SIZE = 13


@dataclass(frozen=True)
class ReportFigure:
    key: str  # where the template places it: "card-<family>-<n>" or "kpi-<n>"
    figure: dict
    alt: str


def report_figures(snapshot: dict) -> list[ReportFigure]:
    """The report's charts, built by the dashboard's and the KPI page's figure functions
    from the snapshot alone (never live rows): each family card's trend with two points or
    more, then each roadmap KPI with values. Alt text is written from the figure's data."""
    data = section_data(snapshot).get("kpis")
    if not data:
        return []
    figures = []
    for f, family in enumerate(data["families"]):
        for c, card in enumerate(family["cards"]):
            figure = card_figure(family["family"], card)
            if figure is None:
                continue
            percent = card["display"].endswith("%")
            title = f"{card['title']} over time" + (" (per cent)" if percent else "")
            figures.append(
                ReportFigure(f"card-{f}-{c}", figure, describe_figure(figure, title=title))
            )
    for n, row in enumerate(data["kpis"]):
        if not row.get("values"):  # a snapshot taken before values were kept has none
            continue
        figure = kpi_figure(row)
        title = f"{row['name']} over time" + (f" ({row['unit']})" if row["unit"] else "")
        figures.append(ReportFigure(f"kpi-{n}", figure, describe_figure(figure, title=title)))
    return figures


def may_draw_charts(snapshot: dict) -> bool:
    """Whether a report of `snapshot` may have a chart to draw (so a browser is worth
    starting early): unknown before the snapshot is taken, else whether its KPI section has
    a trend of two points or more or a KPI with values (what `report_figures` draws)."""
    if not snapshot:
        return True
    data = section_data(snapshot).get("kpis")
    if not data:
        return False
    cards = (card for family in data["families"] for card in family["cards"])
    return any(len(card["trend"]) >= 2 for card in cards) or any(
        row.get("values") for row in data["kpis"]
    )


def card_figure(family: str, card: dict) -> dict | None:
    headline = Headline(
        family=KpiFamily(family),
        title=card["title"],
        value=None,
        display=card["display"],
        rule=card["rule"],
        url="",
        trend=tuple(
            TrendPoint(date.fromisoformat(point["day"]), float(point["value"]))
            for point in card["trend"]
        ),
    )
    figure = measurement_charts.headline_trend(headline)
    if figure is None:
        return None
    layout = figure["layout"]
    layout["height"] = CARD_CHART_HEIGHT
    layout["font"] = {**layout.get("font", {}), "size": CARD_CHART_FONT_SIZE}
    layout["margin"] = {"l": 48, "r": 12, "t": 8, "b": 30}
    return figure


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def _iso_date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def kpi_figure(row: dict) -> dict:
    """The KPI page's trend (values, baseline, target, planned trajectory), from the row the
    snapshot keeps: unsaved model instances carry the figures, nothing is read or written."""
    kpi = Kpi(
        name=row["name"],
        unit=row["unit"],
        baseline=_decimal(row["baseline"]),
        baseline_date=_iso_date(row.get("baseline_date", "")),
        target=_decimal(row["target"]),
        target_date=_iso_date(row.get("target_date", "")),
    )
    values = [
        KpiValue(
            date=date.fromisoformat(v["date"]), segment=v["segment"], value=Decimal(v["value"])
        )
        for v in row["values"]
    ]
    return paper_lines(measurement_charts.kpi_trend(kpi, values))


# On paper a marker per value reads only while they are few: past this many a line's points
# merge into a thick band, and each is an SVG path to lay out and draw (156 weekly values
# made a KPI chart 40 kB and most of the document's drawing time).
MAX_MARKERS = 26


def paper_lines(figure: dict) -> dict:
    """The figure with its long series drawn as plain lines (a copy; data unchanged)."""
    data = []
    for trace in figure.get("data") or []:
        if trace.get("mode") == "lines+markers" and len(trace.get("x") or []) > MAX_MARKERS:
            trace = {**trace, "mode": "lines"}
        data.append(trace)
    return {**figure, "data": data}


def draw_report_charts(snapshot: dict, renderer: ChartRenderer) -> dict[str, Chart]:
    return {
        figure.key: renderer.svg(figure.figure, alt=figure.alt)
        for figure in report_figures(snapshot)
    }


# The document -----------------------------------------------------------------------------


def report_context(snapshot: dict, charts: dict[str, Chart] | None = None) -> dict:
    templates = {s.name: s.template for s in _sections}
    # In the snapshot's order, with its headings; a section no longer registered has no
    # template to print it with and is left out.
    shown = [
        {**section, "template": templates[section["name"]]}
        for section in snapshot.get("sections", [])
        if section["name"] in templates
    ]
    if charts is not None:
        shown = [_with_charts(section, charts) for section in shown]
    return {"snapshot": snapshot, "sections": shown, "summary": summary(snapshot)}


def _with_charts(section: dict, charts: dict[str, Chart]) -> dict:
    """The KPI section with each card's and KPI's chart beside its data (a copy: the
    snapshot itself is never changed)."""
    if section["name"] != "kpis":
        return section
    data = section["data"]
    families = [
        {
            **family,
            "cards": [
                {**card, "chart": charts.get(f"card-{f}-{c}")}
                for c, card in enumerate(family["cards"])
            ],
        }
        for f, family in enumerate(data["families"])
    ]
    kpis = [{**row, "chart": charts.get(f"kpi-{n}")} for n, row in enumerate(data["kpis"])]
    return {**section, "data": {**data, "families": families, "kpis": kpis}}


def report_html(snapshot: dict, charts: dict[str, Chart] | None = None) -> str:
    return render_to_string("roadmap/report_pdf.html", report_context(snapshot, charts))


def report_title(snapshot: dict) -> str:
    return f"{snapshot['quarter']} report: {snapshot['roadmap']} · {snapshot['org']}"


def report_identifier(snapshot: dict) -> bytes:
    """The PDF's /ID, from the snapshot: with `dcterms.created` (the snapshot's date, in the
    template) it makes the same snapshot render to the same bytes, so a regenerated file
    keeps its sha256."""
    digest = hashlib.sha256(json.dumps(snapshot, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:32].encode()


def render_report_html(html: str, snapshot: dict, url_fetcher: URLFetcher | None = None) -> bytes:
    """The final HTML through the PDF engine: PDF/A-3a (archivable and tagged)."""
    return render_pdf(
        html,
        archival=True,
        title=report_title(snapshot),
        lang="en",
        identifier=report_identifier(snapshot),
        url_fetcher=url_fetcher,
    )


def render_report_pdf(snapshot: dict, renderer: ChartRenderer | None = None) -> bytes:
    """The report's PDF from the snapshot alone: its charts drawn by one browser (tables
    when none can), then the document. The same snapshot gives the same bytes.

    `renderer`: a browser the caller started early (`ChartRenderer.start()`) and closes;
    this one lets it quit while WeasyPrint lays the document out.
    """
    if renderer is None:
        with ChartRenderer() as own:
            return render_report_pdf(snapshot, own)
    figures = report_figures(snapshot)
    charts: dict[str, Chart] = {}
    if figures and not renderer.unavailable:
        # The browser draws while WeasyPrint parses and styles the document; the charts are
        # images it waits for (`ChartFetcher`) when it builds their boxes.
        try:
            ahead = renderer.draw_ahead([(figure.figure, figure.alt) for figure in figures])
        except ChartUnavailable:
            pass
        else:
            fetcher = ChartFetcher(renderer)
            charts = {figure.key: chart for figure, chart in zip(figures, ahead, strict=True)}
            html = report_html(snapshot, charts)
            content = render_report_html(html, snapshot, url_fetcher=fetcher)
            if not fetcher.tables:
                return content
            # A chart became its table: an image cannot, so the document is laid out again.
            charts = {key: renderer.drawn_ahead(chart.src) for key, chart in charts.items()}
    if not charts:
        charts = {f.key: renderer.svg(f.figure, alt=f.alt) for f in figures}
    renderer.close_soon()
    return render_report_html(report_html(snapshot, charts), snapshot)


def roadmaps_covering(org: Organization, quarter: Quarter):
    """The organisation's roadmaps whose period overlaps the quarter."""
    return Roadmap.objects.for_org(org).filter(
        Q(period_start__lte=quarter.end) & Q(period_end__gte=quarter.start)
    )
