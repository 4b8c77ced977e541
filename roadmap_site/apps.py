from __future__ import annotations

from django.apps import AppConfig


class RoadmapSiteConfig(AppConfig):
    name = "roadmap_site"
    verbose_name = "Workspaces"
