"""Measurement's lists as downloads (roadmap_site/tabular.py): KPIs with their values,
survey responses, learner events, touchpoints, an import run's refused rows."""

from __future__ import annotations

from roadmap_site.tabular import Column, Table

KPI_VALUES = Table(
    "kpi-values",
    [
        Column("KPI", "kpi.name"),
        Column("Family", "kpi.get_family_display"),
        Column("Unit", "kpi.unit"),
        Column("Better when", "kpi.get_direction_display"),
        Column("Evidence level", "kpi.get_evidence_level_display"),
        Column("Baseline", "kpi.baseline"),
        Column("Target", "kpi.target"),
        Column("Target date", "kpi.target_date"),
        Column("Date", "date"),
        Column("Segment", "segment"),
        Column("Value", "value"),
        Column("Note", "note"),
    ],
)

SURVEY_RESPONSES = Table(
    "survey-responses",
    [
        Column("Program", "program.initiative.title"),
        Column("Responded on", "responded_on"),
        Column("Score (0-10)", "score"),
        Column("Comment", "comment"),
        Column("Respondent", "respondent"),
    ],
)

LEARNER_EVENTS = Table(
    "learner-events",
    [
        Column("Learner", "learner_key"),
        Column("Event", "event_type"),
        Column("Occurred at", "occurred_at"),
        Column("xAPI statement", "statement_id"),
    ],
    # A program can hold millions of events: the CSV streams them all, an XLSX (written in
    # full before it is sent, about 13 s per 100,000 rows here) stops at this many.
    xlsx_max_rows=100_000,
)

TOUCHPOINTS = Table(
    "touchpoints",
    [
        Column("Date", "date"),
        Column("Senior stakeholder", "stakeholder.name"),
        Column("Job title", "stakeholder.title"),
        Column("Forum", "get_forum_display"),
        Column("Notes", "notes"),
    ],
)

IMPORT_ERRORS = Table(
    "import-errors",
    [
        Column("Row", "row"),
        Column("Column", "column"),
        Column("Value", "value"),
        Column("Message", "message"),
    ],
)
