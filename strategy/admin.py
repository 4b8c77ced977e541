from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from strategy.models import (
    CanvasAnswer,
    ListeningSession,
    MaturityAssessment,
    Priority,
    Strategy,
    Theme,
)


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["fiscal_year", "org"]
    list_filter = ["org"]


@admin.register(CanvasAnswer)
class CanvasAnswerAdmin(SimpleHistoryAdmin):
    list_display = ["strategy", "question", "updated_at"]


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ["capability", "strategy", "rank", "business_owner", "kpi"]


@admin.register(MaturityAssessment)
class MaturityAssessmentAdmin(admin.ModelAdmin):
    list_display = ["taken_on", "org"]


@admin.register(ListeningSession)
class ListeningSessionAdmin(admin.ModelAdmin):
    list_display = ["held_on", "person", "department", "org"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "org"]
