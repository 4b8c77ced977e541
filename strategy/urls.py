from django.urls import path

from strategy import views

app_name = "strategy"

urlpatterns = [
    path("strategy/", views.home, name="home"),
]
