from __future__ import annotations

from django.contrib import admin

from roadmap.models import (
    CalendarFeed,
    CapacityEntry,
    Cycle,
    Export,
    Initiative,
    InitiativeDependency,
    Roadmap,
    ShareLink,
    SmeAssignment,
    SmeAvailability,
    Stage,
    StageDependency,
    TimeOff,
    WarningAcknowledgement,
)


class CycleInline(admin.TabularInline):
    model = Cycle
    extra = 0
    exclude = ["org"]


@admin.register(Roadmap)
class RoadmapAdmin(admin.ModelAdmin):
    list_display = ["title", "org", "fiscal_year", "period_start", "period_end"]
    list_filter = ["org"]
    inlines = [CycleInline]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["title", "roadmap", "cycle", "owner", "accountable", "status"]
    list_filter = ["status", "org"]
    raw_id_fields = ["owner", "accountable", "cycle", "roadmap"]


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ["label", "roadmap", "created_at", "expires_at", "revoked_at", "last_used_at"]
    exclude = ["token_hash"]


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["roadmap", "kind", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status"]


# Plan ---------------------------------------------------------------------------------------


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["initiative", "kind", "start", "end", "effort_days", "assignee", "status"]
    list_filter = ["kind", "status", "org"]
    raw_id_fields = ["initiative", "assignee"]


@admin.register(StageDependency, InitiativeDependency)
class DependencyAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor"]
    raw_id_fields = ["predecessor", "successor"]


@admin.register(CapacityEntry)
class CapacityEntryAdmin(admin.ModelAdmin):
    list_display = ["person", "cycle", "days"]
    raw_id_fields = ["person", "cycle"]


@admin.register(TimeOff, SmeAvailability)
class PersonWindowAdmin(admin.ModelAdmin):
    list_display = ["person", "start", "end", "note"]
    raw_id_fields = ["person"]


@admin.register(SmeAssignment)
class SmeAssignmentAdmin(admin.ModelAdmin):
    list_display = ["person", "initiative"]
    raw_id_fields = ["person", "initiative"]


@admin.register(WarningAcknowledgement)
class WarningAcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["roadmap", "key", "by", "at"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "org", "label", "created_at", "revoked_at", "last_used_at"]
    exclude = ["token_hash"]
