"""The roadmap PDF: what a leader keeps, gathered, charted and rendered.

`roadmap_document()` reads everything in a fixed number of queries and names the figures
to draw (the pages' own figure functions: initiatives per cycle, the timeline, KPI trends);
`draw_charts()` draws them with one browser; `RoadmapDocument.html()` fills the template.
`render_roadmap_pdf()` does all three for the export task, and the benchmark times the
parts one by one (roadmap/management/commands/bench_pdf.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from measurement.charts import kpi_trend
from measurement.models import Kpi, KpiValue
from roadmap import charts, timeline
from roadmap.ledger import commitment_ledger
from roadmap.models import (
    BusinessEvent,
    Cycle,
    ExportOptions,
    Initiative,
    InitiativeStatus,
    Paper,
    Roadmap,
)
from roadmap.plan_data import load_plan, load_timeline
from roadmap.timeline import TimelineRow
from roadmap_site.pdf import CHART_WIDTH, Chart, ChartRenderer, describe_figure, render_pdf
from strategy.models import Priority, Question, Strategy

# A timeline chart is one block that cannot break across pages: this many rows fill a page
# (150 px + 28 px a row). It is laid out at the page's minimum width, where its event names
# have room (roadmap/timeline.py), then scaled to the column.
TIMELINE_ROWS_PER_CHART = 28
TIMELINE_WIDTH = 960
PAPER_SIZES = {Paper.A4: "A4", Paper.LETTER: "letter"}


@dataclass(frozen=True)
class FigureSpec:
    key: str
    figure: dict
    alt: str
    width: int = CHART_WIDTH


@dataclass
class RoadmapDocument:
    """The PDF's data and its figures, before the charts are drawn."""

    roadmap: Roadmap
    options: ExportOptions
    context: dict[str, Any]
    figures: list[FigureSpec] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.roadmap.title

    def html(self, drawn: dict[str, Chart]) -> str:
        context = {
            **self.context,
            "per_cycle_chart": drawn.get("per-cycle"),
            "timeline_charts": [drawn[f.key] for f in self.figures if f.key.startswith("tl-")],
            "kpi_trends": [
                (kpi, drawn[f"kpi-{kpi.pk}"])
                for kpi in self.context["trend_kpis"]
                if f"kpi-{kpi.pk}" in drawn
            ],
        }
        return render_to_string("roadmap/roadmap_pdf.html", context)


def roadmap_document(
    roadmap: Roadmap, options: ExportOptions, *, today: date | None = None
) -> RoadmapDocument:
    """Everything the PDF shows, scoped by `options`; ids that are no longer the roadmap's
    (a deleted cycle) are ignored."""
    today = today or timezone.localdate()
    all_cycles = list(roadmap.cycles.all())
    cycles = [c for c in all_cycles if not options.cycles or c.pk in options.cycles]
    priorities_qs = roadmap.strategy_priorities().with_kpi()
    all_priorities = list(priorities_qs)
    priorities = [p for p in all_priorities if not options.priorities or p.pk in options.priorities]

    initiatives_qs = roadmap.initiatives.all()
    if options.cycles:
        initiatives_qs = initiatives_qs.filter(cycle__in=[c.pk for c in cycles])
    if options.priorities:
        initiatives_qs = initiatives_qs.filter(priority__in=[p.pk for p in priorities])
    initiatives = list(initiatives_qs.for_ledger())
    ledger = commitment_ledger(roadmap, cycles=cycles, initiatives=initiatives)
    if options.priorities:
        chosen = {p.pk for p in priorities}
        for entry in ledger["ledger"]:
            entry["not_doing"] = [r for r in entry["not_doing"] if r.priority_id in chosen]
    for entry in ledger["ledger"]:
        entry["kept"] = [i for i in entry["committed"] if i.is_committed]
        entry["proposed"] = [i for i in entry["committed"] if not i.is_committed]

    strategy = Strategy.objects.for_org(roadmap.org).for_year(roadmap.fiscal_year).first()
    vision = ""
    if strategy is not None:
        answer = strategy.answers.filter(question=Question.VISION).first()
        vision = answer.text if answer else ""

    context: dict[str, Any] = {
        "roadmap": roadmap,
        "org": roadmap.org,
        "options": options,
        "paper": PAPER_SIZES.get(Paper(options.paper), "A4"),
        "scope": _scope_label(options, cycles, priorities),
        "vision": vision,
        "strategy": strategy,
        "priorities": priorities,
        "ledger": ledger["ledger"],
        "unscheduled": ledger["unscheduled"],
        "tradeoffs": [i for i in initiatives if i.tradeoffs.strip()],
        "totals": _totals(initiatives),
        "capacity": _capacity(roadmap, cycles, initiatives, whole=options.whole_roadmap),
        "generated_at": timezone.now(),
        "today": today,
    }
    trend_kpis = _trend_kpis(priorities)
    context["trend_kpis"] = trend_kpis
    if options.include_notes:
        context["notes"] = _internal_notes(roadmap)

    figures = []
    per_cycle = charts.initiatives_per_cycle_rows(cycles, initiatives)
    if initiatives:
        figure = charts.initiatives_per_cycle(per_cycle)
        figures.append(
            FigureSpec("per-cycle", figure, describe_figure(figure, title="Initiatives per cycle"))
        )
    figures.extend(_timeline_figures(roadmap, initiatives_qs, today))
    values = _values_by_kpi(trend_kpis)
    for kpi in trend_kpis:
        figure = kpi_trend(kpi, values[kpi.pk])
        alt = describe_figure(figure, title=f"{kpi.name} over time")
        figures.append(FigureSpec(f"kpi-{kpi.pk}", figure, alt))
    context["timeline_pages"] = sum(1 for f in figures if f.key.startswith("tl-"))
    return RoadmapDocument(roadmap, options, context, figures)


def draw_charts(
    document: RoadmapDocument,
    renderer: ChartRenderer,
    progress: Callable[[float], None] | None = None,
) -> dict[str, Chart]:
    drawn = {}
    for index, spec in enumerate(document.figures, start=1):
        drawn[spec.key] = renderer.svg(spec.figure, alt=spec.alt, width=spec.width)
        if progress:
            progress(index / len(document.figures))
    return drawn


def render_roadmap_pdf(
    roadmap: Roadmap,
    options: ExportOptions,
    *,
    progress: Callable[[int], None] | None = None,
    before_render: Callable[[], None] | None = None,
) -> bytes:
    """The PDF; `progress` hears percentages 10 → 95 as data, charts and layout are done.
    `before_render` runs between the charts and WeasyPrint (the worker test's gate)."""

    def report(start: int, end: int) -> Callable[[float], None] | None:
        if progress is None:
            return None
        return lambda share: progress(start + round((end - start) * share))

    document = roadmap_document(roadmap, options)
    if progress:
        progress(10)
    with ChartRenderer() as renderer:
        drawn = draw_charts(document, renderer, report(10, 50))
    html = document.html(drawn)
    if progress:
        progress(50)
    if before_render:
        before_render()
    return render_pdf(
        html,
        title=document.title,
        lang="en",
        progress=report(50, 95),
        expected_pages=expected_pages(document),
    )


def expected_pages(document: RoadmapDocument) -> int:
    """A rough page count for the progress bar: cover and contents, a timeline chart a page,
    about 18 commitments a page, two KPI charts a page."""
    context = document.context
    rows = sum(len(entry["committed"]) + len(entry["not_doing"]) for entry in context["ledger"])
    return 4 + context["timeline_pages"] + rows // 18 + len(context["trend_kpis"]) // 2


# Parts --------------------------------------------------------------------------------------


def _scope_label(options: ExportOptions, cycles: list[Cycle], priorities: list[Priority]) -> str:
    if options.cycles:
        return "Cycles: " + ", ".join(c.name for c in cycles)
    if options.priorities:
        return "Initiatives serving: " + "; ".join(p.capability for p in priorities)
    return "The whole roadmap"


def _totals(initiatives: list[Initiative]) -> dict[str, Any]:
    committed = [i for i in initiatives if i.is_committed]
    return {
        "initiatives": len(initiatives),
        "committed": len(committed),
        "delivered": sum(1 for i in initiatives if i.status == InitiativeStatus.DELIVERED),
        "budget": sum((i.budget or Decimal(0) for i in committed), Decimal(0)),
        "days": sum(i.days or 0 for i in committed),
    }


def _capacity(
    roadmap: Roadmap, cycles: list[Cycle], initiatives: list[Initiative], *, whole: bool
) -> dict[str, Any]:
    """Per cycle: the team's days (available, planned) and the budget planned in scope,
    with the running total against the roadmap's budget when the whole roadmap is shown."""
    team = {load.cycle_id: load for load in load_plan(roadmap).capacity.team}
    planned: dict[int | None, Decimal] = defaultdict(Decimal)
    for initiative in initiatives:
        if initiative.status != InitiativeStatus.STOPPED and initiative.budget:
            planned[initiative.cycle_id] += initiative.budget
    rows, running = [], Decimal(0)
    for cycle in cycles:
        running += planned[cycle.pk]
        load = team.get(cycle.pk)
        rows.append(
            {
                "cycle": cycle,
                "available": load.available_days if load else None,
                "planned_days": load.planned_days if load else None,
                "left_days": load.remaining_days if load else None,
                "utilisation": load.utilisation if load else None,
                "over": bool(load and load.over_allocated_people),
                "budget": planned[cycle.pk],
                "cumulative": running,
                "budget_left": roadmap.budget - running if whole and roadmap.budget else None,
            }
        )
    return {
        "rows": rows,
        "budget": roadmap.budget if whole else None,
        "unscheduled_budget": planned[None],
    }


def _trend_kpis(priorities: list[Priority]) -> list[Kpi]:
    seen: dict[int, Kpi] = {}
    for priority in priorities:
        if priority.kpi is not None and priority.kpi.latest_value_id is not None:
            seen.setdefault(priority.kpi.pk, priority.kpi)
    return list(seen.values())


def _values_by_kpi(kpis: list[Kpi]) -> dict[int, list[KpiValue]]:
    values: dict[int, list[KpiValue]] = {kpi.pk: [] for kpi in kpis}
    if kpis:
        for value in KpiValue.objects.filter(kpi__in=list(values)).order_by("date"):
            values[value.kpi_id].append(value)
    return values


def _timeline_figures(
    roadmap: Roadmap, initiatives: QuerySet[Initiative], today: date
) -> list[FigureSpec]:
    """The timeline page's figure, one per page-sized run of rows. Stages show while the
    roadmap is small; at scale each initiative is one bar (load_timeline's rule)."""
    data = load_timeline(roadmap, initiatives, None)
    rows = data.rows()
    chunks = _chunks(rows)
    specs = []
    for number, chunk in enumerate(chunks, start=1):
        figure = _printable(
            timeline.timeline_figure(
                chunk, data.cycles, data.events, today, dependencies=data.dependencies
            )
        )
        title = "Timeline" if len(chunks) == 1 else f"Timeline, part {number} of {len(chunks)}"
        alt = describe_figure(figure, title=title)
        specs.append(FigureSpec(f"tl-{number}", figure, alt, width=TIMELINE_WIDTH))
    return specs


def _printable(figure: dict) -> dict:
    """The figure without hatching: WeasyPrint draws Plotly's pattern fills as nothing, so
    hatched bars (a done stage) would vanish; their own colour and legend entry remain."""
    for trace in figure["data"]:
        marker = trace.get("marker")
        if isinstance(marker, dict):
            marker.pop("pattern", None)
    return figure


def _chunks(rows: list[TimelineRow]) -> list[list[TimelineRow]]:
    """Runs of at most TIMELINE_ROWS_PER_CHART rows, an initiative kept with its stages
    unless it alone is longer than a run."""
    groups: list[list[TimelineRow]] = []
    for row in rows:
        if row.kind == "initiative" or not groups:
            groups.append([row])
        else:
            groups[-1].append(row)
    chunks: list[list[TimelineRow]] = []
    for group in groups:
        while len(group) > TIMELINE_ROWS_PER_CHART:
            chunks.append(group[:TIMELINE_ROWS_PER_CHART])
            group = group[TIMELINE_ROWS_PER_CHART:]
        if chunks and len(chunks[-1]) + len(group) <= TIMELINE_ROWS_PER_CHART:
            chunks[-1].extend(group)
        else:
            chunks.append(list(group))
    return chunks


def _internal_notes(roadmap: Roadmap) -> dict[str, list]:
    """The team's own notes: why plan warnings were accepted, and notes on the business
    calendar's events during the roadmap."""
    events = (
        BusinessEvent.objects.for_org(roadmap.org)
        .exclude(notes="")
        .filter(
            Q(recurs_yearly=True) | Q(start__lte=roadmap.period_end, end__gte=roadmap.period_start)
        )
    )
    return {
        "accepted": list(roadmap.acknowledgements.select_related("by").order_by("at")),
        "events": list(events),
    }
