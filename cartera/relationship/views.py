"""The staff UI for the relationship with accounts: the lists of interactions and of commitments.

Each list reads through its FilterSet, which starts from `visible_to(user)`; sorting, paging and the
export carry the same filters (cartera.core.lists).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from cartera.accounts.models import Contact
from cartera.core.htmx import render_page_or_partial
from cartera.core.lists import list_context
from cartera.core.sorting import SORT_PARAMETER, Column
from cartera.relationship.filtersets import (
    COMMITMENT_SORTS,
    INTERACTION_SORTS,
    CommitmentFilterSet,
    InteractionFilterSet,
)
from cartera.relationship.models import Commitment, CommitmentStatus, Interaction

INTERACTION_COLUMNS = [
    Column(_("Date"), "date", "nowrap", descending_first=True),
    Column(_("Account"), "account"),
    Column(_("Kind"), "kind"),
    Column(_("By"), "user", "d-none d-md-table-cell"),
    Column(_("Contacts"), "", "d-none d-lg-table-cell"),
    Column(_("Summary")),
]

COMMITMENT_COLUMNS = [
    Column(_("Account"), "account"),
    Column(pgettext_lazy("column", "Promised by"), "promised_by", "d-none d-md-table-cell"),
    Column(pgettext_lazy("column", "Promised to"), "promised_to", "d-none d-lg-table-cell"),
    Column(_("What"), "description"),
    Column(_("Due"), "due", "nowrap"),
    Column(_("Status"), "status"),
]


def _interaction_rows(queryset: QuerySet[Interaction]) -> QuerySet[Interaction]:
    contacts = Contact.objects.only("id", "first_name", "last_name").order_by("last_name", "first_name")
    return queryset.select_related("account", "user").prefetch_related(
        Prefetch("contacts", queryset=contacts)
    )


def _commitment_rows(queryset: QuerySet[Commitment]) -> QuerySet[Commitment]:
    return queryset.select_related("account", "promised_by", "promised_to")


@login_required
@require_GET
def interaction_list(request: HttpRequest) -> HttpResponse:
    filterset = InteractionFilterSet(request.GET or None, request=request)
    context = list_context(
        request, filterset, INTERACTION_SORTS, INTERACTION_COLUMNS, prepare=_interaction_rows
    )
    context["section"] = "activity"
    return render_page_or_partial(
        request,
        "relationship/interaction_list.html",
        "relationship/partials/interaction_table.html",
        context,
        target="interaction-results",
    )


# Without any filter in the address (a page or a sort is not one), the list opens on the commitments
# still open: the work to do.
DEFAULT_COMMITMENT_FILTERS = QueryDict(f"status={CommitmentStatus.OPEN}")


@login_required
@require_GET
def commitment_list(request: HttpRequest) -> HttpResponse:
    params: QueryDict = request.GET
    showing_default = all(key in {"page", SORT_PARAMETER} for key in params)
    if showing_default:
        params = DEFAULT_COMMITMENT_FILTERS.copy()
        params.update(request.GET)
    filterset = CommitmentFilterSet(params, request=request)
    context: dict[str, Any] = list_context(
        request, filterset, COMMITMENT_SORTS, COMMITMENT_COLUMNS, prepare=_commitment_rows, params=params
    )
    today = timezone.localdate()
    for commitment in context["page"].object_list:
        commitment.is_overdue = commitment.overdue_on(today)
    context["section"] = "activity"
    context["showing_default"] = showing_default
    return render_page_or_partial(
        request,
        "relationship/commitment_list.html",
        "relationship/partials/commitment_table.html",
        context,
        target="commitment-results",
    )
