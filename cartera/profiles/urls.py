"""URLs of the staff UI for B2C profiles."""

from django.urls import path

from cartera.profiles import views

app_name = "profiles"

urlpatterns = [
    path("", views.profile_list, name="profile_list"),
    path("chart/", views.profile_chart, name="profile_chart"),
    path("new/", views.profile_new, name="profile_new"),
    path("preview/", views.profile_preview, name="profile_preview"),
    path("suggestions/", views.profile_suggestions, name="profile_suggestions"),
    path("suggestions/adopt/", views.profile_adopt, name="profile_adopt"),
    path("<int:pk>/edit/", views.profile_edit, name="profile_edit"),
]
