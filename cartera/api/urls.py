"""/api/v1/ (the REST API, its OpenAPI document and docs) and the pages for tokens and webhooks."""

from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

import cartera.api.views as views
from cartera.api.main import api_urls, not_found

ui_patterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/new/", views.webhook_new, name="webhook_new"),
    path("webhooks/<int:pk>/", views.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("webhooks/deliveries/<int:pk>/", views.delivery_detail, name="delivery_detail"),
]

urlpatterns = [
    path("v1/", api_urls()),
    re_path(r"^v1/", csrf_exempt(not_found)),
    path("", include((ui_patterns, "api_ui"))),
]
