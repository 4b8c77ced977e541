from __future__ import annotations

from django.urls import path

from measurement.views import alignment, dashboard, engagement, impact, kpis, xapi

app_name = "measurement"

urlpatterns = [
    # KPIs
    path("measurement/", kpis.home, name="home"),
    path("measurement/kpis/new/", kpis.kpi_create, name="kpi_create"),
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
