"""URL map: the staff UI, sign-in, the admin, and the language switch."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cartera.dashboard import views as dashboard_views

urlpatterns = [
    # The dashboard is the landing page; "home" is the name the brand link and error pages use.
    path("", dashboard_views.home, name="home"),
    path("", include("cartera.dashboard.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("cartera.accounts.urls")),
    path("", include("cartera.coverage.urls")),
    path("", include("cartera.commerce.urls")),
    path("", include("cartera.relationship.urls")),
    path("pipeline/", include("cartera.pipeline.urls")),
    path("", include("cartera.insights.urls")),
    path("profiles/", include("cartera.profiles.urls")),
    path("data/", include("cartera.dataio.urls")),
    path("api/", include("cartera.api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
