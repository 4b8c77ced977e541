from __future__ import annotations

from django.urls import path

from measurement.views import kpis

app_name = "measurement"

urlpatterns = [
    path("measurement/", kpis.home, name="home"),
    path("measurement/kpis/new/", kpis.kpi_create, name="kpi_create"),
    path("measurement/kpis/<int:pk>/", kpis.kpi_detail, name="kpi_detail"),
    path("measurement/kpis/<int:pk>/edit/", kpis.kpi_edit, name="kpi_edit"),
    path("measurement/kpis/<int:pk>/values/", kpis.kpi_value_record, name="kpi_value_record"),
]

from measurement.views import engagement  # noqa: E402

urlpatterns += [
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
]
