"""Measurement's models, one module per kind of evidence; import them from here."""

from __future__ import annotations

from measurement.models.activity import EligibleLearners, LearnerEvent, ProgramMonth
from measurement.models.kpis import (
    AT_RISK_TOLERANCE,
    STATUS_RULE,
    Assessment,
    Direction,
    EvidenceLevel,
    Kpi,
    KpiFamily,
    KpiQuerySet,
    KpiStatus,
    KpiValue,
    KpiValueQuerySet,
)
from measurement.models.programs import DEFAULT_QUALIFYING_EVENTS, Program, ProgramQuerySet

__all__ = [
    "AT_RISK_TOLERANCE",
    "DEFAULT_QUALIFYING_EVENTS",
    "STATUS_RULE",
    "Assessment",
    "Direction",
    "EligibleLearners",
    "EvidenceLevel",
    "Kpi",
    "KpiFamily",
    "KpiQuerySet",
    "KpiStatus",
    "KpiValue",
    "KpiValueQuerySet",
    "LearnerEvent",
    "Program",
    "ProgramMonth",
    "ProgramQuerySet",
]
