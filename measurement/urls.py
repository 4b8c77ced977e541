from __future__ import annotations

from django.urls import path

from measurement.views import (
    alignment,
    dashboard,
    downloads,
    engagement,
    impact,
    kpis,
    sources,
    xapi,
)

app_name = "measurement"

urlpatterns = [
    # KPIs
    path("measurement/", kpis.home, name="home"),
    path("measurement/kpis/new/", kpis.kpi_create, name="kpi_create"),
    path(
        "measurement/kpis/values/download/",
        downloads.kpi_value_download,
        name="kpi_value_download",
    ),
    path("measurement/kpis/<int:pk>/", kpis.kpi_detail, name="kpi_detail"),
    path("measurement/kpis/<int:pk>/edit/", kpis.kpi_edit, name="kpi_edit"),
    path("measurement/kpis/<int:pk>/values/", kpis.kpi_value_record, name="kpi_value_record"),
    # Learner engagement: programs and their months
    path("measurement/engagement/", engagement.engagement_overview, name="engagement"),
    path("measurement/programs/<int:pk>/", engagement.program_detail, name="program_detail"),
    path(
        "measurement/programs/<int:pk>/settings/",
        engagement.program_settings,
        name="program_settings",
    ),
    path("measurement/programs/<int:pk>/events/", engagement.program_event, name="program_event"),
    path(
        "measurement/programs/<int:pk>/events/download/",
        downloads.program_event_download,
        name="program_event_download",
    ),
    path(
        "measurement/programs/<int:pk>/eligible/",
        engagement.program_eligible,
        name="program_eligible",
    ),
    path(
        "measurement/initiatives/<int:initiative_id>/measure/",
        engagement.program_start,
        name="program_start",
    ),
    # Impact: surveys, ROI, the evidence chain
    path("measurement/impact/", impact.impact, name="impact"),
    path(
        "measurement/impact/responses/download/",
        downloads.response_download,
        name="response_download",
    ),
    path(
        "measurement/programs/<int:pk>/responses/download/",
        downloads.program_response_download,
        name="program_response_download",
    ),
    path("measurement/programs/<int:pk>/impact/", impact.program_impact, name="program_impact"),
    path(
        "measurement/programs/<int:pk>/impact/<slug:kind>/add/",
        impact.impact_add,
        name="impact_add",
    ),
    path(
        "measurement/programs/<int:pk>/impact/<slug:kind>/<int:line>/remove/",
        impact.impact_remove,
        name="impact_remove",
    ),
    # Metric sources and their import runs
    path("measurement/sources/", sources.source_list, name="source_list"),
    path("measurement/sources/new/", sources.source_create, name="source_create"),
    path("measurement/sources/<int:pk>/", sources.source_detail, name="source_detail"),
    path("measurement/sources/<int:pk>/edit/", sources.source_edit, name="source_edit"),
    path("measurement/sources/<int:pk>/delete/", sources.source_delete, name="source_delete"),
    path("measurement/sources/<int:pk>/run/", sources.source_run, name="source_run"),
    path("measurement/sources/<int:pk>/upload/", sources.source_upload, name="source_upload"),
    path("measurement/sources/<int:pk>/preview/", sources.source_preview, name="source_preview"),
    path("measurement/runs/<int:pk>/", sources.run_detail, name="run_detail"),
    path("measurement/runs/<int:pk>/errors.csv", sources.run_errors_csv, name="run_errors_csv"),
]

urlpatterns += [
    path("measurement/dashboard/", dashboard.dashboard, name="dashboard"),
    path(
        "measurement/alerts/<int:pk>/acknowledge/",
        dashboard.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("measurement/alignment/", alignment.alignment_page, name="alignment"),
    path(
        "measurement/touchpoints/download/",
        downloads.touchpoint_download,
        name="touchpoint_download",
    ),
    path(
        "measurement/touchpoints/<int:pk>/edit/", alignment.touchpoint_edit, name="touchpoint_edit"
    ),
    path(
        "measurement/touchpoints/<int:pk>/delete/",
        alignment.touchpoint_delete,
        name="touchpoint_delete",
    ),
]

# xAPI: the statements resource platforms post to, and mapping their activities.
urlpatterns += [
    path("xapi/statements", xapi.statements, name="xapi_statements"),
    path("xapi/about", xapi.about, name="xapi_about"),
    path("measurement/xapi/activities/", xapi.activities, name="xapi_activities"),
    path(
        "measurement/xapi/activities/<int:pk>/map/",
        xapi.activity_map,
        name="xapi_activity_map",
    ),
]
