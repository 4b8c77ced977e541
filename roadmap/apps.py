from __future__ import annotations

from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "roadmap"

    def ready(self) -> None:
        from roadmap.imports import register_target

        register_target()  # training requests as a metric-source target
