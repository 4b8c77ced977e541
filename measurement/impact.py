"""Business impact at a glance: the figures the measurement dashboard shows for the family.

`headlines(org, today)` returns the dashboard cards: business-impact KPIs by status, the
pooled NPS across programs (with n and its margin of error) and the ROI of all programs
together, each with the page behind it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from django.urls import reverse

from measurement import roi as roi_
from measurement import surveys
from measurement.figures import Headline
from measurement.models import Kpi, KpiFamily, KpiStatus, SurveyResponse
from roadmap_site.models import Organization

# Worst first: the card takes the status of its worst KPI.
STATUS_ORDER = [
    KpiStatus.OFF_TRACK,
    KpiStatus.AT_RISK,
    KpiStatus.ON_TRACK,
    KpiStatus.NO_TARGET,
    KpiStatus.NO_DATA,
]


def headlines(org: Organization, today: date) -> list[Headline]:
    """Three cards; four queries however many KPIs, programs, responses and lines."""
    family = KpiFamily.BUSINESS_IMPACT
    kpis = list(Kpi.objects.for_org(org).filter(family=family).with_status())
    counts = Counter(kpi.assess().status for kpi in kpis)
    worst = next((s for s in STATUS_ORDER[:3] if counts[s]), None)
    shown = next((s for s in STATUS_ORDER if counts[s]), None)
    kpi_card = Headline(
        family=family,
        title="Business-impact KPIs",
        value=Decimal(counts[KpiStatus.ON_TRACK]) if kpis else None,
        # The card's figure is the worst status's count; the others read beneath it.
        display=f"{counts[shown]} {shown.label.lower()}"
        if shown
        else "no business-impact KPIs yet",
        rule="Each KPI's status compares its latest value with the straight line from its "
        "baseline to its target.",
        url=reverse("measurement:home"),
        status=worst,
        note=" · ".join(
            [f"{counts[s]} {s.label.lower()}" for s in STATUS_ORDER if counts[s] and s != shown]
            + [f"{len(kpis)} KPI{'s' if len(kpis) != 1 else ''}"]
        ),
    )
    pooled = surveys.nps(SurveyResponse.objects.for_org(org).filter(responded_on__lte=today))
    nps_card = Headline(
        family=family,
        title="NPS across programs",
        value=pooled.score,
        # The score large; its n and margin of error right beneath it, always.
        display=pooled.display.split(" (")[0],
        rule=surveys.NPS_RULE + " Programs are pooled by their counts, so each weighs by its n.",
        url=reverse("measurement:impact"),
        note=" · ".join(
            part
            for part in [
                f"n = {pooled.n}, margin of error ± {pooled.margin:.0f} (95 %)"
                if pooled.n and pooled.margin is not None
                else "",
                pooled.note,
            ]
            if part
        ),
    )
    combined = roi_.total(roi_.roi_by_program(org).values())
    roi_card = Headline(
        family=family,
        title="ROI across programs",
        value=combined.percent,
        display=combined.display,
        rule=roi_.ROI_RULE + " Across programs: the sums of all their lines.",
        url=reverse("measurement:impact"),
        note=combined.note,
    )
    return [kpi_card, nps_card, roi_card]
