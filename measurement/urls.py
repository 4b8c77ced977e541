from __future__ import annotations

from django.urls import path

from measurement.views import alignment, dashboard, kpis

app_name = "measurement"

urlpatterns = [
    path("measurement/", kpis.home, name="home"),
    path("measurement/kpis/new/", kpis.kpi_create, name="kpi_create"),
    path("measurement/kpis/<int:pk>/", kpis.kpi_detail, name="kpi_detail"),
    path("measurement/kpis/<int:pk>/edit/", kpis.kpi_edit, name="kpi_edit"),
    path("measurement/kpis/<int:pk>/values/", kpis.kpi_value_record, name="kpi_value_record"),
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
