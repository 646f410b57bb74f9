"""URLs of the staff UI for segments and service models."""

from django.urls import path

from cartera.insights import views

app_name = "insights"

urlpatterns = [
    path("segments/", views.segment_list, name="segment_list"),
    path("segments/new/", views.segment_new, name="segment_new"),
    path("segments/preview/", views.segment_preview, name="segment_preview"),
    path("segments/<int:pk>/edit/", views.segment_edit, name="segment_edit"),
    path("segments/service-models/", views.service_model_list, name="service_model_list"),
    path("segments/service-models/new/", views.service_model_new, name="service_model_new"),
    path("segments/service-models/<int:pk>/edit/", views.service_model_edit, name="service_model_edit"),
]
