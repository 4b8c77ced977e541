from __future__ import annotations

from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "measurement"
