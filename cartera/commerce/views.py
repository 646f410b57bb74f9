"""The staff UI for orders: the list (filter, sort, page, export) and an order's page.

Both read through `visible_to(user)`: an order of an account the user may not see is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from cartera.commerce.filtersets import ORDER_SORTS, OrderFilterSet
from cartera.commerce.models import Order
from cartera.commerce.selectors import order_for_page, order_totals
from cartera.core.htmx import render_page_or_partial
from cartera.core.lists import list_context
from cartera.core.sorting import Column

ORDER_COLUMNS = [
    Column(_("Number"), "number"),
    Column(_("Account"), "account"),
    Column(_("Date"), "date", descending_first=True),
    Column(_("Lines"), "lines", "num d-none d-md-table-cell", descending_first=True),
    Column(pgettext_lazy("amount", "Revenue"), "revenue", "num", descending_first=True),
    Column(pgettext_lazy("amount", "Gross margin"), "margin", "num", descending_first=True),
    Column(_("Purchase type"), "purchase_type", "d-none d-lg-table-cell"),
    Column(_("Channel"), "channel", "d-none d-xl-table-cell"),
]


def _with_account(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.select_related("account")


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    filterset = OrderFilterSet(request.GET or None, request=request)
    context: dict[str, Any] = list_context(
        request, filterset, ORDER_SORTS, ORDER_COLUMNS, prepare=_with_account
    )
    context["page"].object_list = order_totals(context["page"].object_list)
    context["section"] = "activity"
    return render_page_or_partial(
        request,
        "commerce/order_list.html",
        "commerce/partials/order_table.html",
        context,
        target="order-results",
    )


@login_required
@require_GET
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_for_page(Order.objects.visible_to(request.user), pk)
    if order is None:
        raise Http404
    return render(request, "commerce/order_detail.html", {"order": order, "section": "activity"})
