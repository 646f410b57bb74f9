"""URLs of the staff UI for accounts, contacts and the global search."""

from django.urls import path

from cartera.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/", views.account_list, name="list"),
    path("accounts/new/", views.account_new, name="new"),
    path("accounts/regions/", views.region_options, name="region_options"),
    path("accounts/<int:pk>/", views.account_detail, name="detail"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="edit"),
    path("accounts/<int:pk>/contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("search/", views.search, name="search"),
]
