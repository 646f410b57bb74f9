"""URL map: the staff UI, sign-in, the admin, and the language switch."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:list"), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("cartera.accounts.urls")),
    path("", include("cartera.coverage.urls")),
    path("pipeline/", include("cartera.pipeline.urls")),
    path("", include("cartera.insights.urls")),
    path("profiles/", include("cartera.profiles.urls")),
    path("data/", include("cartera.dataio.urls")),
    path("api/", include("cartera.api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
