"""Measurement's models, one module per kind of evidence; import them from here."""

from __future__ import annotations

from measurement.models.activity import EligibleLearners, LearnerEvent, ProgramMonth
from measurement.models.evidence import KIRKPATRICK_LEVELS, Evidence
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
from measurement.models.roi import CostCategory, RoiBenefit, RoiCost
from measurement.models.sources import (
    ImportRowError,
    ImportRun,
    MetricSource,
    RunStatus,
    Schedule,
    SourceKind,
)
from measurement.models.surveys import SurveyResponse
from measurement.models.xapi import ActivityMapping, LearnerSalt, XapiStatement

__all__ = [
    "AT_RISK_TOLERANCE",
    "DEFAULT_QUALIFYING_EVENTS",
    "KIRKPATRICK_LEVELS",
    "STATUS_RULE",
    "Assessment",
    "CostCategory",
    "Direction",
    "EligibleLearners",
    "Evidence",
    "EvidenceLevel",
    "ImportRowError",
    "ImportRun",
    "Kpi",
    "KpiFamily",
    "KpiQuerySet",
    "KpiStatus",
    "KpiValue",
    "KpiValueQuerySet",
    "LearnerEvent",
    "MetricSource",
    "Program",
    "ProgramMonth",
    "ProgramQuerySet",
    "RoiBenefit",
    "RoiCost",
    "RunStatus",
    "Schedule",
    "SourceKind",
    "SurveyResponse",
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

__all__ += ["ActivityMapping", "LearnerSalt", "XapiStatement"]
