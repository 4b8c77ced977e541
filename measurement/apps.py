from __future__ import annotations

from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "measurement"

    def ready(self) -> None:
        # Measurement's own dashboard headlines and alert rules; the roadmap registers
        # those whose data it holds (roadmap/apps.py).
        from measurement import alerts, alignment, engagement, impact, sources, tasks
        from measurement.dashboard import register_headlines
        from measurement.models import AlertKind
        from roadmap_site.cache import follow_org_changes

        # In the dashboard's order: the article's families as it lists them.
        # Alignment and engagement read touchpoints, people and programs, never KPIs.
        register_headlines(alignment.headlines, reads_kpi_values=False)
        register_headlines(engagement.headlines, reads_kpi_values=False)
        register_headlines(impact.headlines)
        for kind, rule_text, evaluate in [
            (AlertKind.KPI_OFF_TRACK, alerts.KPI_OFF_TRACK_RULE, alerts.kpis_off_track),
            (
                AlertKind.SENIOR_WITHOUT_TOUCHPOINT,
                alignment.SENIOR_RULE,
                alignment.seniors_without_touchpoint,
            ),
            (AlertKind.LEARNER_DECLINE, engagement.DECLINE_RULE, engagement.decline_findings),
            (AlertKind.IMPORT_FAILING, sources.FAILING_RULE, sources.failing_sources_findings),
        ]:
            alerts.register_rule(
                alerts.AlertRule(
                    kind=kind, label=kind.label, rule_text=rule_text, evaluate=evaluate
                )
            )
        # A write that moves the organisation's version queues the alerts' refresh, so the
        # dashboard never has to write while it is read.
        follow_org_changes(tasks.refresh_alerts_soon)
