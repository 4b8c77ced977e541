from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "measurement"
