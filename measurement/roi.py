"""Phillips ROI: benefit and cost lines in, the working line by line out.

Each benefit line is adjusted: amount * isolation (the share attributed to the program)
* confidence (the estimator's). ROI % = (adjusted benefits - fully loaded costs) / costs
* 100; BCR = adjusted benefits / costs. With no costs neither is computable: the result
says so instead of dividing by zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from measurement.models import CostCategory, Program, RoiBenefit, RoiCost
from roadmap_site.cache import bump_org
from roadmap_site.models import Organization

ROI_RULE = (
    "Adjusted benefit = amount × isolation × confidence. "  # noqa: RUF001 (shown to readers)
    "ROI % = (adjusted benefits − fully loaded costs) ÷ costs × 100. "  # noqa: RUF001 (shown to readers)
    "BCR = adjusted benefits ÷ costs. No costs: not computable."
)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Roi:
    """Every line of one program's ROI (or several programs' together) and the totals."""

    benefits: list[RoiBenefit] = field(default_factory=list)
    costs: list[RoiCost] = field(default_factory=list)

    @property
    def benefits_total(self) -> Decimal:
        return sum((line.amount for line in self.benefits), Decimal(0))

    @property
    def adjusted_total(self) -> Decimal:
        return sum((line.adjusted for line in self.benefits), Decimal(0))

    @property
    def costs_total(self) -> Decimal:
        return sum((line.amount for line in self.costs), Decimal(0))

    @property
    def costs_by_category(self) -> list[tuple[str, Decimal]]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for line in self.costs:
            totals[line.category] += line.amount
        return [(c.label, totals[c.value]) for c in CostCategory if c.value in totals]

    @property
    def computable(self) -> bool:
        return self.costs_total > 0

    @property
    def net(self) -> Decimal:
        return self.adjusted_total - self.costs_total

    @property
    def percent(self) -> Decimal | None:
        if not self.computable:
            return None
        return self.net / self.costs_total * 100

    @property
    def bcr(self) -> Decimal | None:
        if not self.computable:
            return None
        return self.adjusted_total / self.costs_total

    @property
    def is_empty(self) -> bool:
        return not self.benefits and not self.costs

    @property
    def display(self) -> str:
        if self.percent is None or self.bcr is None:
            return "not computable"
        return f"{self.percent:.0f} % (BCR {self.bcr:.2f})"

    @property
    def note(self) -> str:
        if self.is_empty:
            return "no benefit or cost lines yet"
        if not self.computable:
            return "no costs entered: a ratio to zero costs has no meaning"
        return ""

    def __add__(self, other: Roi) -> Roi:
        return Roi(self.benefits + other.benefits, self.costs + other.costs)


def roi(program: Program) -> Roi:
    """One program's ROI: two queries, every line loaded for the working."""
    return Roi(list(program.roi_benefits.order_by("pk")), list(program.roi_costs.all()))


def roi_by_program(org: Organization) -> dict[int, Roi]:
    """Every program's ROI in two queries. Lines are entered by hand, a few per program,
    and summed in Python so money stays exact decimals on every database."""
    results: dict[int, Roi] = defaultdict(Roi)
    for benefit in RoiBenefit.objects.for_org(org).order_by("program", "pk"):
        results[benefit.program_id].benefits.append(benefit)
    for cost in RoiCost.objects.for_org(org):
        results[cost.program_id].costs.append(cost)
    return dict(results)


def total(results: Iterable[Roi]) -> Roi:
    """Several programs' ROI as one: their lines together, so the ratio is of the sums."""
    return sum(results, Roi())


def _money(value: Decimal | str, name: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({name: f"“{value}” is not an amount."}) from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise ValidationError({name: "Enter an amount below one trillion."})
    if amount != amount.quantize(CENT):
        raise ValidationError({name: "Amounts have at most two decimal places."})
    return amount


def _share(value: Decimal | str, name: str) -> Decimal:
    try:
        share = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({name: f"“{value}” is not a share from 0 to 1."}) from None
    if not share.is_finite() or not 0 <= share <= 1:
        raise ValidationError({name: f"The {name} must be a share from 0 to 1."})
    if share != share.quantize(Decimal("0.001")):
        raise ValidationError({name: f"The {name} has at most three decimal places."})
    return share


def _text(value: str, name: str, *, required: bool = True) -> str:
    text = value.strip()
    if required and not text:
        raise ValidationError({name: f"The {name} is required."})
    if len(text) > 200:
        raise ValidationError({name: f"The {name} is at most 200 characters."})
    return text


def _check_org(org: Organization, program: Program) -> None:
    if program.org_id != org.pk:
        raise ValidationError("That program belongs to another organisation.")


@transaction.atomic
def record_benefit(
    *,
    org: Organization,
    program: Program,
    description: str,
    amount: Decimal | str,
    source: str,
    isolation: Decimal | str,
    confidence: Decimal | str,
) -> tuple[RoiBenefit, bool]:
    """Add a benefit line, or update the program's line of the same description.
    Returns (line, created); bad input raises ValidationError and writes nothing."""
    _check_org(org, program)
    money = _money(amount, "amount")
    if money < 0:
        raise ValidationError({"amount": "A benefit is not negative; enter costs as costs."})
    values = {
        "amount": money,
        "source": _text(source, "source"),
        "isolation": _share(isolation, "isolation"),
        "confidence": _share(confidence, "confidence"),
    }
    line, created = RoiBenefit.objects.update_or_create(
        program=program,
        description=_text(description, "description"),
        defaults=values,
        create_defaults={"org": org, **values},
    )
    bump_org(org)
    return line, created


@transaction.atomic
def record_cost(
    *,
    org: Organization,
    program: Program,
    category: str,
    description: str,
    amount: Decimal | str,
) -> tuple[RoiCost, bool]:
    """Add a cost line, or update the program's line of the same category and description."""
    _check_org(org, program)
    if category not in CostCategory.values:
        raise ValidationError(
            {"category": f"“{category}” is not a cost category ({', '.join(CostCategory.values)})."}
        )
    value = _money(amount, "amount")
    if value < 0:
        raise ValidationError({"amount": "A cost is not negative."})
    line, created = RoiCost.objects.update_or_create(
        program=program,
        category=category,
        description=_text(description, "description"),
        defaults={"amount": value},
        create_defaults={"org": org, "amount": value},
    )
    bump_org(org)
    return line, created


@transaction.atomic
def remove_line(*, org: Organization, line: RoiBenefit | RoiCost) -> None:
    if line.org_id != org.pk:
        raise ValidationError("That line belongs to another organisation.")
    line.delete()
    bump_org(org)
