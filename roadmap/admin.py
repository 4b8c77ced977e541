from django.contrib import admin

from roadmap.models import Cycle, Export, Initiative, Roadmap, ShareLink


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
