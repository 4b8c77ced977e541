from __future__ import annotations

from django.urls import path

from measurement import views

app_name = "measurement"

urlpatterns = [
    path("measurement/", views.home, name="home"),
    path("measurement/kpis/new/", views.kpi_create, name="kpi_create"),
    path("measurement/kpis/<int:pk>/", views.kpi_detail, name="kpi_detail"),
    path("measurement/kpis/<int:pk>/edit/", views.kpi_edit, name="kpi_edit"),
    path("measurement/kpis/<int:pk>/values/", views.kpi_value_record, name="kpi_value_record"),
]
