from __future__ import annotations

from django.urls import path

from strategy import views

app_name = "strategy"

urlpatterns = [
    path("strategy/", views.home, name="home"),
    path("strategy/new/", views.strategy_create, name="strategy_create"),
    path("strategy/<int:pk>/", views.strategy_detail, name="strategy_detail"),
    path("strategy/<int:pk>/one-pager/", views.one_pager, name="one_pager"),
    path("strategy/<int:pk>/priorities/", views.priority_create, name="priority_create"),
    path("strategy/answers/<int:pk>/", views.answer_detail, name="answer_detail"),
    path("strategy/answers/<int:pk>/edit/", views.answer_edit, name="answer_edit"),
    path("strategy/answers/<int:pk>/history/", views.answer_history, name="answer_history"),
    path("strategy/priorities/<int:pk>/edit/", views.priority_edit, name="priority_edit"),
    path("strategy/priorities/<int:pk>/move/", views.priority_move, name="priority_move"),
    path("strategy/priorities/<int:pk>/delete/", views.priority_delete, name="priority_delete"),
    path("strategy/maturity/", views.maturity_list, name="maturity_list"),
    path("strategy/maturity/new/", views.maturity_create, name="maturity_create"),
    path("strategy/maturity/<int:pk>/", views.maturity_detail, name="maturity_detail"),
    path("strategy/listening/", views.listening_list, name="listening_list"),
    path("strategy/listening/<int:pk>/edit/", views.listening_edit, name="listening_edit"),
    path("strategy/themes/", views.theme_list, name="theme_list"),
    path("strategy/themes/new/", views.theme_create, name="theme_create"),
    path("strategy/themes/<int:pk>/rename/", views.theme_rename, name="theme_rename"),
    path("strategy/themes/<int:pk>/merge/", views.theme_merge, name="theme_merge"),
    path("strategy/themes/<int:pk>/delete/", views.theme_delete, name="theme_delete"),
]
