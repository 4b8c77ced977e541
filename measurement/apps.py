from __future__ import annotations

from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "measurement"

    def ready(self) -> None:
        # Measurement's own dashboard headlines and alert rules; the roadmap registers
        # those whose data it holds (roadmap/apps.py).
        from measurement import alerts, alignment, engagement, impact
        from measurement.dashboard import register_headlines
        from measurement.models import AlertKind

        # In the dashboard's order: the article's families as it lists them.
        register_headlines(alignment.headlines)
        register_headlines(engagement.headlines)
        register_headlines(impact.headlines)
        alerts.register_rule(
            alerts.AlertRule(
                kind=AlertKind.KPI_OFF_TRACK,
                label=AlertKind.KPI_OFF_TRACK.label,
                rule_text=alerts.KPI_OFF_TRACK_RULE,
                evaluate=alerts.kpis_off_track,
            )
        )
        alerts.register_rule(
            alerts.AlertRule(
                kind=AlertKind.SENIOR_WITHOUT_TOUCHPOINT,
                label=AlertKind.SENIOR_WITHOUT_TOUCHPOINT.label,
                rule_text=alignment.SENIOR_RULE,
                evaluate=alignment.seniors_without_touchpoint,
            )
        )
        alerts.register_rule(
            alerts.AlertRule(
                kind=AlertKind.LEARNER_DECLINE,
                label=AlertKind.LEARNER_DECLINE.label,
                rule_text=engagement.DECLINE_RULE,
                evaluate=engagement.decline_findings,
            )
        )
