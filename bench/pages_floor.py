"""URLs of the pages benchmark: the whole application, plus one bare Django view as the reference.

The bare view reads 50 accounts by primary key and renders them in a trivial template (a heading and a
table, no base layout, no visibility, no filters): through the same middleware (sessions, sign-in,
language, CSRF) as the application's pages, it is the floor of what a Django page costs here, the
reference bench/pages.py prints beside each page's time.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from cartera.accounts.models import Account
from config.urls import urlpatterns as application

TEMPLATE = engines["django"].from_string(
    """<!doctype html><html lang="es"><head><title>Cuentas</title></head><body><h1>Cuentas</h1>
<table><thead><tr><th>Id</th><th>Razón social</th><th>Región</th></tr></thead><tbody>
{% for account in accounts %}<tr><td>{{ account.0 }}</td><td>{{ account.1 }}</td><td>{{ account.2 }}</td></tr>
{% endfor %}</tbody></table></body></html>"""
)


def bare_page(request: HttpRequest) -> HttpResponse:
    accounts = Account.objects.order_by("pk").values_list("pk", "legal_name", "region")[:50]
    return HttpResponse(TEMPLATE.render({"accounts": list(accounts)}, request))


urlpatterns = [path("bare/page/", bare_page, name="bare_page"), *application]
