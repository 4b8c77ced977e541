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
]
