from django.urls import path

from roadmap import views

app_name = "roadmap"

urlpatterns = [
    path("roadmaps/", views.roadmap_list, name="roadmap_list"),
    path("roadmaps/new/", views.roadmap_create, name="roadmap_create"),
    path("roadmaps/<int:pk>/", views.roadmap_detail, name="roadmap_detail"),
    path("roadmaps/<int:pk>/chart/", views.roadmap_chart, name="roadmap_chart"),
    path("roadmaps/<int:pk>/initiatives/", views.initiative_create, name="initiative_create"),
    path("roadmaps/<int:pk>/exports/", views.export_create, name="export_create"),
    path("roadmaps/<int:pk>/share-links/", views.share_link_create, name="share_link_create"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="initiative_detail"),
    path("initiatives/<int:pk>/edit/", views.initiative_edit, name="initiative_edit"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("share-links/<int:pk>/revoke/", views.share_link_revoke, name="share_link_revoke"),
    path("s/<str:token>/", views.shared_roadmap, name="shared_roadmap"),
    # Assess
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/bulk/", views.request_bulk, name="request_bulk"),
    path("requests/commit/", views.request_commit, name="request_commit"),
    path("requests/scoring/", views.assess_settings, name="assess_settings"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("requests/<int:pk>/<str:action>/", views.request_decide, name="request_decide"),
    path("intake/<slug:slug>/", views.intake, name="intake"),
    path("status/<str:token>/", views.request_status, name="request_status"),
    # Align
    path("roadmaps/<int:pk>/align/", views.roadmap_align, name="roadmap_align"),
    path("roadmaps/<int:pk>/not-doing/", views.not_doing_create, name="not_doing_create"),
    path("roadmaps/<int:pk>/changes/", views.roadmap_changes, name="roadmap_changes"),
    path("roadmaps/<int:pk>/calendar/", views.roadmap_calendar, name="roadmap_calendar"),
    path("roadmaps/<int:pk>/calendar/events/", views.event_create, name="event_create"),
    path(
        "roadmaps/<int:pk>/calendar/events/<int:event_pk>/delete/",
        views.event_delete,
        name="event_delete",
    ),
    path("roadmaps/<int:pk>/calendar/avoid/", views.avoid_launches, name="avoid_launches"),
]
