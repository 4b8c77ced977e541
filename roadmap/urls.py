from __future__ import annotations

from django.urls import path

from roadmap.api import api
from roadmap.api.errors import unknown_endpoint
from roadmap.views import (
    align,
    assess,
    capacity,
    downloads,
    feeds,
    iterate,
    plan,
    reports,
    roadmaps,
    share,
    sme,
    starters,
)

app_name = "roadmap"

urlpatterns = [
    path("api/", api.urls),
    path("api/<path:rest>", unknown_endpoint, name="api_unknown"),
    path("roadmaps/", roadmaps.roadmap_list, name="roadmap_list"),
    path("roadmaps/new/", roadmaps.roadmap_create, name="roadmap_create"),
    path("start/", starters.starter_choose, name="starter_choose"),
    path(
        "getting-started/dismiss/",
        starters.getting_started_dismiss,
        name="getting_started_dismiss",
    ),
    path("roadmaps/<int:pk>/", roadmaps.roadmap_detail, name="roadmap_detail"),
    path("roadmaps/<int:pk>/chart/", roadmaps.roadmap_chart, name="roadmap_chart"),
    path("roadmaps/<int:pk>/initiatives/", roadmaps.initiative_create, name="initiative_create"),
    path(
        "roadmaps/<int:pk>/download/initiatives/",
        downloads.initiative_download,
        name="initiative_download",
    ),
    path("roadmaps/<int:pk>/exports/", roadmaps.export_create, name="export_create"),
    path("roadmaps/<int:pk>/exports/new/", roadmaps.export_options, name="export_options"),
    path("initiatives/<int:pk>/", roadmaps.initiative_detail, name="initiative_detail"),
    path("initiatives/<int:pk>/edit/", roadmaps.initiative_edit, name="initiative_edit"),
    path("exports/<int:pk>/", roadmaps.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", roadmaps.export_download, name="export_download"),
    path("exports/<int:pk>/retry/", roadmaps.export_retry, name="export_retry"),
    # The quarterly leader report
    path("roadmaps/<int:pk>/reports/", reports.report_page, name="report_page"),
    path("roadmaps/<int:pk>/reports/build/", reports.report_build, name="report_build"),
    path(
        "roadmaps/<int:pk>/reports/subscriptions/",
        reports.report_subscribe,
        name="report_subscribe",
    ),
    path(
        "report-subscriptions/<int:pk>/delete/",
        reports.report_unsubscribe,
        name="report_unsubscribe",
    ),
    path("reports/<int:pk>/download/", reports.report_download, name="report_download"),
    path("report-deliveries/<int:pk>/resend/", reports.delivery_resend, name="delivery_resend"),
    # Share: the team's Share page, and the pages behind a link (no account)
    path("roadmaps/<int:pk>/share/", share.roadmap_share, name="roadmap_share"),
    path("roadmaps/<int:pk>/share-links/", share.share_link_create, name="share_link_create"),
    path("share-links/<int:pk>/revoke/", share.share_link_revoke, name="share_link_revoke"),
    path("feedback/<int:pk>/triage/", share.feedback_triage, name="feedback_triage"),
    path("s/<str:token>/", share.shared_roadmap, name="shared_roadmap"),
    path("s/<str:token>/unlock/", share.shared_unlock, name="shared_unlock"),
    path("s/<str:token>/review/", share.shared_review, name="shared_review"),
    path("s/<str:token>/initiatives/<int:pk>/", share.shared_initiative, name="shared_initiative"),
    # Assess
    path("requests/", assess.request_list, name="request_list"),
    path("requests/new/", assess.request_create, name="request_create"),
    path("requests/download/", downloads.request_download, name="request_download"),
    path("requests/bulk/", assess.request_bulk, name="request_bulk"),
    path("requests/commit/", assess.request_commit, name="request_commit"),
    path("requests/scoring/", assess.assess_settings, name="assess_settings"),
    path("requests/<int:pk>/", assess.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", assess.request_edit, name="request_edit"),
    path("requests/<int:pk>/<str:action>/", assess.request_decide, name="request_decide"),
    path("requests/intake-address/", assess.intake_address, name="intake_address"),
    path("intake/<str:token>/", assess.intake, name="intake"),
    path("status/<str:token>/", assess.request_status, name="request_status"),
    # Align
    path("roadmaps/<int:pk>/align/", align.roadmap_align, name="roadmap_align"),
    path("roadmaps/<int:pk>/not-doing/", align.not_doing_create, name="not_doing_create"),
    path(
        "roadmaps/<int:pk>/align/cycles/<int:cycle_pk>/not-doing/",
        align.cycle_not_doing,
        name="cycle_not_doing",
    ),
    path(
        "roadmaps/<int:pk>/download/commitments/",
        downloads.commitment_download,
        name="commitment_download",
    ),
    path(
        "roadmaps/<int:pk>/download/not-doing/",
        downloads.not_doing_download,
        name="not_doing_download",
    ),
    path("roadmaps/<int:pk>/changes/", align.roadmap_changes, name="roadmap_changes"),
    path("roadmaps/<int:pk>/calendar/", align.roadmap_calendar, name="roadmap_calendar"),
    path("roadmaps/<int:pk>/calendar/events/", align.event_create, name="event_create"),
    path(
        "roadmaps/<int:pk>/calendar/events/<int:event_pk>/delete/",
        align.event_delete,
        name="event_delete",
    ),
    path("roadmaps/<int:pk>/calendar/avoid/", align.avoid_launches, name="avoid_launches"),
    # Plan
    path("roadmaps/<int:pk>/plan/", plan.roadmap_plan, name="roadmap_plan"),
    path("roadmaps/<int:pk>/download/stages/", downloads.stage_download, name="stage_download"),
    path("roadmaps/<int:pk>/capacity/", capacity.roadmap_capacity, name="roadmap_capacity"),
    path("roadmaps/<int:pk>/timeline/", plan.roadmap_timeline, name="roadmap_timeline"),
    path("roadmaps/<int:pk>/budget/", capacity.roadmap_budget, name="roadmap_budget"),
    path("roadmaps/<int:pk>/time-off/", capacity.time_off_create, name="time_off_create"),
    path(
        "roadmaps/<int:pk>/time-off/<int:row_pk>/delete/",
        capacity.time_off_delete,
        name="time_off_delete",
    ),
    path(
        "roadmaps/<int:pk>/availability/", capacity.availability_create, name="availability_create"
    ),
    path(
        "roadmaps/<int:pk>/availability/<int:row_pk>/delete/",
        capacity.availability_delete,
        name="availability_delete",
    ),
    path(
        "roadmaps/<int:pk>/warnings/acknowledge/",
        plan.warning_acknowledge,
        name="warning_acknowledge",
    ),
    path(
        "roadmaps/<int:pk>/warnings/reopen/",
        plan.warning_unacknowledge,
        name="warning_unacknowledge",
    ),
    path("initiatives/<int:pk>/plan/", plan.initiative_plan, name="initiative_plan"),
    path("initiatives/<int:pk>/move/", plan.initiative_move, name="initiative_move"),
    path(
        "initiatives/<int:pk>/shift-stages/",
        plan.initiative_shift_stages,
        name="initiative_shift_stages",
    ),
    path("initiatives/<int:pk>/stages/", plan.stage_create, name="stage_create"),
    path("initiatives/<int:pk>/smes/", plan.sme_add, name="sme_add"),
    path("initiatives/<int:pk>/dependencies/", plan.dependency_add, name="dependency_add"),
    path(
        "dependencies/<str:kind>/<int:pk>/delete/",
        plan.dependency_remove,
        name="dependency_remove",
    ),
    path("smes/<int:pk>/delete/", plan.sme_remove, name="sme_remove"),
    path("smes/<int:pk>/involved/", plan.sme_involved, name="sme_involved"),
    path("sme-engagement/", sme.sme_engagement, name="sme_engagement"),
    path("stages/<int:pk>/edit/", plan.stage_edit, name="stage_edit"),
    path("stages/<int:pk>/delete/", plan.stage_delete, name="stage_delete"),
    path("stages/<int:pk>/move/", plan.stage_move, name="stage_move"),
    path("calendar-feeds/", feeds.calendar_feeds, name="calendar_feeds"),
    path("calendar-feeds/new/", feeds.calendar_feed_create, name="calendar_feed_create"),
    path(
        "calendar-feeds/<int:pk>/revoke/",
        feeds.calendar_feed_revoke,
        name="calendar_feed_revoke",
    ),
    path("feeds/<str:token>.ics", feeds.calendar_feed, name="calendar_feed"),
    # Iterate
    path("roadmaps/<int:pk>/iterate/", iterate.roadmap_iterate, name="roadmap_iterate"),
    path("initiatives/<int:pk>/iterate/", iterate.initiative_iterate, name="initiative_iterate"),
    path("roadmaps/<int:pk>/reviews/new/", iterate.review_create, name="review_create"),
    path("reviews/<int:pk>/", iterate.review_detail, name="review_detail"),
]
