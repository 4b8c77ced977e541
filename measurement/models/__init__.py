"""Measurement's models, one module per kind of evidence; import them from here."""

from __future__ import annotations

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
    "EvidenceLevel",
    "Kpi",
    "KpiFamily",
    "KpiQuerySet",
    "KpiStatus",
    "KpiValue",
    "KpiValueQuerySet",
    "Program",
    "ProgramQuerySet",
]
from measurement.models.alerts import (
    Alert,
    AlertKind,
    AlertQuerySet,
    AlertRefresh,
)
from measurement.models.touchpoints import Forum, Touchpoint, TouchpointQuerySet

__all__ += [
    "Alert",
    "AlertKind",
    "AlertQuerySet",
    "AlertRefresh",
    "Forum",
    "Touchpoint",
    "TouchpointQuerySet",
]
