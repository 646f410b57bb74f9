"""URLs of the API benchmark: the whole application, plus two bare Django views over the same table.

The bare views read one account by primary key, and list 50 accounts with the same filter and order as
the API's list, straight from the ORM into JSON: no authentication, no visibility, no schema. They are
the floor of what Django and the database cost here, the reference bench/api.py compares the API with.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path

from cartera.accounts.models import Account
from config.urls import urlpatterns as application

# The columns the API returns for an account, so both sides read and render the same data.
FIELDS = [
    "id", "legal_name", "trade_name", "country", "tax_id", "region", "city", "industry", "size_band",
    "language", "currency", "parent_id", "status", "strategic_fit", "strategic_fit_note", "portfolio_id",
    "territory_id", "version", "created_at", "updated_at",
]  # fmt: skip


def bare_detail(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(Account.objects.values(*FIELDS).get(pk=pk))


def bare_list(request: HttpRequest) -> JsonResponse:
    rows = Account.objects.filter(region=request.GET["region"]).order_by("id").values(*FIELDS)[:50]
    return JsonResponse({"items": list(rows)})


urlpatterns = [
    path("bare/accounts/<int:pk>", bare_detail),
    path("bare/accounts", bare_list),
    *application,
]
