"""The evidence chain of one program: Kirkpatrick levels 1 (reaction) to 4 (results), then
Phillips' level 5 (ROI), each with what evidences it, or marked missing.

What counts at each level:
1. reaction: survey responses (their NPS), and evidence entered at level 1;
2. learning and 3. behaviour: evidence entered at that level, and linked KPIs set to it;
4. results: the initiative's KPI and its priority's KPI (at their own evidence level when
   one is set, else here), and evidence entered at level 4;
5. ROI: the benefit and cost lines, when the ROI is computable.
A KPI counts once it has a value; a KPI with none is listed but leaves its level missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.urls import reverse

from measurement.models import Evidence, EvidenceLevel, Kpi, Program
from measurement.roi import Roi
from measurement.surveys import Nps
from roadmap_site.cache import bump_org
from roadmap_site.models import Organization


@dataclass(frozen=True)
class ChainItem:
    text: str
    detail: str = ""
    url: str = ""
    counts: bool = True  # False: listed for the reader, but not evidence yet
    evidence: Evidence | None = None  # an entered row (the page offers to remove it)


@dataclass(frozen=True)
class ChainLevel:
    level: EvidenceLevel
    items: list[ChainItem] = field(default_factory=list)

    @property
    def missing(self) -> bool:
        return not any(item.counts for item in self.items)


def program_kpis(program: Program) -> models.QuerySet[Kpi]:
    """The initiative's KPI and its priority's KPI, with their status, in one query."""
    return (
        Kpi.objects.filter(org_id=program.org_id)
        .filter(
            models.Q(initiatives__program=program)
            | models.Q(priorities__initiatives__program=program)
        )
        .distinct()
        .with_status()
    )


def evidence_chain(
    program: Program,
    *,
    nps: Nps,
    roi: Roi,
    evidence: list[Evidence] | None = None,
    kpis: list[Kpi] | None = None,
) -> list[ChainLevel]:
    """Levels 1 to 5 in order. The page passes what it has already loaded; the rest costs
    one query each (evidence with its KPI, the program's KPIs)."""
    if evidence is None:
        evidence = list(program.evidence.select_related("kpi"))
    if kpis is None:
        kpis = list(program_kpis(program))
    items: dict[int, list[ChainItem]] = {level.value: [] for level in EvidenceLevel}
    if nps.n:
        items[EvidenceLevel.REACTION].append(
            ChainItem(
                f"Survey: NPS {nps.display}",
                detail="small sample" if nps.small_sample else "",
                url="#response-h",
            )
        )
    for kpi in kpis:
        level = kpi.evidence_level or EvidenceLevel.RESULTS
        assessment = kpi.assess()
        has_value = assessment.latest is not None
        items[level].append(
            ChainItem(
                f"KPI: {kpi.name}",
                detail=assessment.label if has_value else "no values yet",
                url=reverse("measurement:kpi_detail", args=[kpi.pk]),
                counts=has_value,
            )
        )
    for row in evidence:
        detail = f"{row.recorded_on.day} {row.recorded_on:%b %Y}"
        if row.kpi is not None:
            detail += f" · {row.kpi.name}"
        items[row.level].append(ChainItem(row.summary, detail=detail, url=row.link, evidence=row))
    if not roi.is_empty:
        items[EvidenceLevel.ROI].append(
            ChainItem(
                f"ROI {roi.display}",
                detail=f"{len(roi.benefits)} benefit and {len(roi.costs)} cost lines",
                url="#roi-h",
                counts=roi.computable,
            )
        )
    return [ChainLevel(level, items[level.value]) for level in EvidenceLevel]


@transaction.atomic
def record_evidence(
    *,
    org: Organization,
    program: Program,
    level: int | str,
    summary: str,
    recorded_on: date,
    kpi: Kpi | None = None,
    link: str = "",
) -> tuple[Evidence, bool]:
    """Add a piece of evidence, or update the program's one with the same level and summary.
    Returns (evidence, created); bad input raises ValidationError and writes nothing."""
    if program.org_id != org.pk:
        raise ValidationError("That program belongs to another organisation.")
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise ValidationError({"level": f"“{level}” is not a Kirkpatrick level."}) from None
    if not 1 <= level <= 4:
        raise ValidationError(
            {"level": "Evidence is entered at Kirkpatrick level 1 to 4; level 5 is the ROI."}
        )
    summary = summary.strip()
    if not summary or len(summary) > 300:
        raise ValidationError({"summary": "Describe the evidence in 1 to 300 characters."})
    link = link.strip()
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            raise ValidationError({"link": "Enter a web address (https://…)."}) from None
    if kpi is not None and kpi.org_id != org.pk:
        raise ValidationError({"kpi": "Choose a KPI of this organisation."})
    row, created = Evidence.objects.update_or_create(
        program=program,
        level=level,
        summary=summary,
        defaults={"recorded_on": recorded_on, "kpi": kpi, "link": link},
        create_defaults={"org": org, "recorded_on": recorded_on, "kpi": kpi, "link": link},
    )
    bump_org(org)
    return row, created


@transaction.atomic
def remove_evidence(*, org: Organization, evidence: Evidence) -> None:
    if evidence.org_id != org.pk:
        raise ValidationError("That evidence belongs to another organisation.")
    evidence.delete()
    bump_org(org)
