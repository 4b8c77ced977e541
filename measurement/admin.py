from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from measurement.models import Kpi, KpiValue


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin):
    list_display = ["name", "org", "family", "direction", "baseline", "target", "target_date"]
    list_filter = ["family", "org"]
    search_fields = ["name"]


@admin.register(KpiValue)
class KpiValueAdmin(SimpleHistoryAdmin):
    list_display = ["kpi", "date", "segment", "value", "entered_by"]
    list_filter = ["kpi__org"]
