from __future__ import annotations

from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "roadmap"

    def ready(self) -> None:
        # The measurement dashboard and alerts read the roadmap's figures through these
        # registrations: measurement may not import the roadmap.
        from measurement.alerts import AlertRule, register_rule
        from measurement.dashboard import register_headlines
        from measurement.models import AlertKind
        from roadmap import measures
        from roadmap.imports import register_target

        # Commitment changes and SME engagement: initiatives and people, never KPIs.
        register_headlines(measures.headlines, reads_kpi_values=False)
        register_rule(
            AlertRule(
                kind=AlertKind.SME_LATE,
                label=AlertKind.SME_LATE.label,
                rule_text=measures.SME_LATE_RULE,
                evaluate=measures.sme_late_findings,
            )
        )
        register_target()  # training requests as a metric-source target
        from roadmap import iterate

        register_rule(
            AlertRule(
                kind=AlertKind.ROADMAP_NOT_REVIEWED,
                label=AlertKind.ROADMAP_NOT_REVIEWED.label,
                rule_text=iterate.NOT_REVIEWED_RULE,
                evaluate=iterate.review_findings,
            )
        )
