"""URLs of the staff UI for portfolios, territories and the assignment of accounts to portfolios."""

from django.urls import path

from cartera.coverage import views

app_name = "coverage"

urlpatterns = [
    path("portfolios/", views.portfolio_list, name="portfolio_list"),
    path("portfolios/new/", views.portfolio_new, name="portfolio_new"),
    path("portfolios/assign/", views.accounts_assign, name="assign"),
    path("portfolios/<int:pk>/", views.portfolio_detail, name="portfolio_detail"),
    path("portfolios/<int:pk>/edit/", views.portfolio_edit, name="portfolio_edit"),
    path("portfolios/<int:pk>/reassign/", views.portfolio_reassign_view, name="portfolio_reassign"),
    path("portfolios/<int:pk>/tiers.json", views.portfolio_tiers_data, name="portfolio_tiers_data"),
    path("portfolios/<int:pk>/segments.json", views.portfolio_segments_data, name="portfolio_segments_data"),
    path("accounts/<int:pk>/portfolio/", views.account_portfolio, name="account_portfolio"),
    path("territories/", views.territory_list, name="territory_list"),
    path("territories/new/", views.territory_new, name="territory_new"),
    path("territories/map.json", views.region_map_data, name="region_map_data"),
    path("territories/<int:pk>/", views.territory_detail, name="territory_detail"),
    path("territories/<int:pk>/edit/", views.territory_edit, name="territory_edit"),
    path("territories/<int:pk>/map.json", views.region_map_data, name="territory_map_data"),
]
