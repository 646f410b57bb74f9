"""URLs of the staff UI for orders."""

from django.urls import path

from cartera.commerce import views

app_name = "commerce"

urlpatterns = [
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
]
