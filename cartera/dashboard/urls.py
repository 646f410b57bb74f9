"""The dashboard: the landing page and the JSON of its charts."""

from django.urls import path

from cartera.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/tiers/", views.tiers_data, name="tiers_data"),
    path("dashboard/moves/", views.moves_data, name="moves_data"),
    path("dashboard/curve/", views.curve_data, name="curve_data"),
    path("dashboard/segments/", views.segments_data, name="segments_data"),
    path("dashboard/territories/", views.territories_data, name="territories_data"),
]
