"""URLs of the pipeline: the board, moves, and the pages of one opportunity."""

from django.urls import path

from cartera.pipeline import views

app_name = "pipeline"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.opportunity_new, name="new"),
    path("suggestion/", views.purchase_type_suggestion, name="suggestion"),
    path("<int:pk>/", views.opportunity_edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/close/", views.opportunity_close_view, name="close"),
]
