"""URLs of the staff UI for accounts, contacts and the global search."""

from django.urls import path

from cartera.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/", views.account_list, name="list"),
    path("accounts/new/", views.account_new, name="new"),
    path("accounts/regions/", views.region_options, name="region_options"),
    path("accounts/<int:pk>/", views.account_detail, name="detail"),
    path("accounts/<int:pk>/sections/<slug:name>/", views.account_section, name="section"),
    path("accounts/<int:pk>/charts/profit/", views.account_profit_data, name="profit_data"),
    path("accounts/<int:pk>/charts/trend/", views.account_trend_data, name="trend_data"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="edit"),
    path("accounts/<int:pk>/contacts/new/", views.contact_new, name="contact_new"),
    path("accounts/<int:pk>/interactions/new/", views.interaction_new, name="interaction_new"),
    path("accounts/<int:pk>/commitments/new/", views.commitment_new, name="commitment_new"),
    path(
        "accounts/<int:pk>/commitments/<int:commitment_pk>/close/",
        views.commitment_close,
        name="commitment_close",
    ),
    path("accounts/<int:pk>/team/new/", views.team_member_new, name="team_member_new"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("search/", views.search, name="search"),
]
