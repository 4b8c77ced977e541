from django.urls import path

from measurement import views

app_name = "measurement"

urlpatterns = [
    path("measurement/", views.home, name="home"),
]
