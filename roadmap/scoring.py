# ruff: noqa: RUF001, RUF002 - formulas shown to people use real multiplication signs.
"""How a request is pressure-tested against the strategy: pure functions, no database.

Two models, chosen per organisation:

- **Weighted** (the default): six factors, each turned into a value from 0 to 1 by a rule a
  requester can read, multiplied by the organisation's weight, and summed to 0–100.
- **RICE**: reach × impact × confidence ÷ effort (person-months), the product-management
  classic, unbounded.

Every score comes with its breakdown, so anyone can see why one request ranks above another.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# Reach: an audience of this size or more counts fully; it grows on a log scale below.
FULL_REACH = 1000
# Urgency: needed today (or overdue) counts fully, a year or more away not at all.
URGENCY_HORIZON_DAYS = 365
# Effort: this many person-days or more counts as the heaviest effort.
HEAVIEST_EFFORT_DAYS = 120
# An unknown estimate sits in the middle rather than helping or hurting the request.
UNKNOWN = 0.5
# RICE counts effort in person-months; a month has this many working days.
DAYS_PER_MONTH = 20

EVIDENCE_VALUE = {"metric": 1.0, "stakeholder": 0.6, "none": 0.0}
RICE_CONFIDENCE = {"metric": 1.0, "stakeholder": 0.8, "none": 0.5}
# Is training the fix? Only a knowledge or skill gap is; unknown is not yet assessed.
TRAINING_FIT = {"knowledge": 1.0, "unknown": UNKNOWN}

FACTORS = ("alignment", "evidence", "reach", "urgency", "training_fit", "effort")
DEFAULT_WEIGHTS = {
    "alignment": 30,
    "evidence": 20,
    "reach": 15,
    "urgency": 10,
    "training_fit": 15,
    "effort": 10,
}
FACTOR_LABELS = {
    "alignment": "Alignment with a ranked priority",
    "evidence": "Evidence strength",
    "reach": "Reach (audience size)",
    "urgency": "Urgency",
    "training_fit": "Training fit",
    "effort": "Effort (less is better)",
}


@dataclass(frozen=True)
class Inputs:
    """What the score reads from a request, as plain values."""

    priority_position: int | None = None  # 1 = the top-ranked priority
    priority_count: int = 0
    evidence: str = "none"  # metric | stakeholder | none
    audience_size: int | None = None
    needed_by: date | None = None
    gap: str = "unknown"  # knowledge | process | tools | incentives | hiring | unknown
    effort_days: int | None = None
    impact: Decimal = Decimal("1")  # RICE impact: 0.25, 0.5, 1, 2, 3


@dataclass(frozen=True)
class Factor:
    key: str
    label: str
    value: float  # 0..1 (RICE: the raw term)
    weight: int
    points: float
    explanation: str


@dataclass(frozen=True)
class Score:
    model: str  # weighted | rice
    total: float | None  # None: RICE without an effort estimate
    factors: tuple[Factor, ...]
    formula: str

    @property
    def display(self) -> str:
        if self.total is None:
            return "—"
        return f"{self.total:.0f}" if self.model == "weighted" else f"{self.total:.1f}"

    @property
    def sort_key(self) -> float:
        return -1.0 if self.total is None else self.total


def alignment(inputs: Inputs) -> tuple[float, str]:
    if inputs.priority_position is None or inputs.priority_count < 1:
        return 0.0, "Serves no priority of the strategy."
    position, count = inputs.priority_position, inputs.priority_count
    value = 1 - (position - 1) / count
    return value, f"Serves priority #{position} of {count}."


def evidence(inputs: Inputs) -> tuple[float, str]:
    value = EVIDENCE_VALUE.get(inputs.evidence, 0.0)
    text = {
        "metric": "Backed by a business metric.",
        "stakeholder": "Backed by stakeholder input.",
    }.get(inputs.evidence, "No evidence yet.")
    return value, text


def reach(inputs: Inputs) -> tuple[float, str]:
    size = inputs.audience_size
    if not size or size <= 1:
        return 0.0, "Audience size unknown." if size is None else f"An audience of {size or 0}."
    value = min(1.0, math.log10(size) / math.log10(FULL_REACH))
    return value, f"An audience of {size} ({FULL_REACH}+ counts fully)."


def count(number, unit: str) -> str:
    """ "1 day", "2 days": the breakdown is read as sentences."""
    return f"{number} {unit}{'' if number == 1 else 's'}"


def urgency(inputs: Inputs, today: date) -> tuple[float, str]:
    if inputs.needed_by is None:
        return 0.0, "No date given."
    days = (inputs.needed_by - today).days
    if days <= 0:
        return 1.0, "Needed now (the date has come)."
    value = max(0.0, 1 - days / URGENCY_HORIZON_DAYS)
    return value, f"Needed in {count(days, 'day')}."


def training_fit(inputs: Inputs) -> tuple[float, str]:
    value = TRAINING_FIT.get(inputs.gap, 0.0)
    if inputs.gap == "knowledge":
        return value, "A knowledge or skill gap: training can fix it."
    if inputs.gap == "unknown":
        return value, "Not assessed yet."
    return value, f"A {inputs.gap} gap: training alone will not fix it."


def effort(inputs: Inputs) -> tuple[float, str]:
    if inputs.effort_days is None:
        return UNKNOWN, "No estimate yet."
    value = 1 - min(inputs.effort_days, HEAVIEST_EFFORT_DAYS) / HEAVIEST_EFFORT_DAYS
    return value, f"About {count(inputs.effort_days, 'person-day')}."


def weighted(inputs: Inputs, weights: dict[str, int], *, today: date) -> Score:
    """Each factor's value × its weight, scaled so the best possible request scores 100."""
    values = {
        "alignment": alignment(inputs),
        "evidence": evidence(inputs),
        "reach": reach(inputs),
        "urgency": urgency(inputs, today),
        "training_fit": training_fit(inputs),
        "effort": effort(inputs),
    }
    total_weight = sum(max(0, weights.get(key, 0)) for key in FACTORS)
    factors = []
    for key in FACTORS:
        value, explanation = values[key]
        weight = max(0, weights.get(key, 0))
        points = 100 * value * weight / total_weight if total_weight else 0.0
        factors.append(Factor(key, FACTOR_LABELS[key], value, weight, points, explanation))
    return Score(
        model="weighted",
        total=sum(f.points for f in factors),
        factors=tuple(factors),
        formula="Σ value × weight ÷ Σ weights × 100",
    )


def rice(inputs: Inputs) -> Score:
    """Reach × impact × confidence ÷ effort in person-months."""
    size = inputs.audience_size or 0
    impact = float(inputs.impact)
    confidence = RICE_CONFIDENCE.get(inputs.evidence, 0.5)
    factors = [
        Factor("reach", "Reach", size, 0, size, "People in the audience."),
        Factor("impact", "Impact", impact, 0, impact, "3 massive, 2 high, 1 medium, ½ low."),
        Factor(
            "confidence",
            "Confidence",
            confidence,
            0,
            confidence,
            "100% with a metric, 80% with stakeholder input, 50% without evidence.",
        ),
    ]
    if not inputs.effort_days:
        factors.append(Factor("effort", "Effort", 0, 0, 0, "No estimate: no RICE score yet."))
        total = None
    else:
        months = inputs.effort_days / DAYS_PER_MONTH
        factors.append(
            Factor(
                "effort",
                "Effort",
                months,
                0,
                months,
                # The very number the score divides by: rounding it to 0.8 would hide
                # why 15 person-days score as they do. `g` drops trailing zeros only.
                f"{inputs.effort_days} person-days = {months:g} person-months.",
            )
        )
        total = size * impact * confidence / months
    return Score(
        model="rice",
        total=total,
        factors=tuple(factors),
        formula="reach × impact × confidence ÷ effort (person-months)",
    )


def score(inputs: Inputs, *, model: str, weights: dict[str, int], today: date) -> Score:
    return rice(inputs) if model == "rice" else weighted(inputs, weights, today=today)
