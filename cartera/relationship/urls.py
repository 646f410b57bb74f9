"""URLs of the staff UI for interactions and commitments."""

from django.urls import path

from cartera.relationship import views

app_name = "relationship"

urlpatterns = [
    path("interactions/", views.interaction_list, name="interaction_list"),
    path("commitments/", views.commitment_list, name="commitment_list"),
]
