"""The staff UI for portfolios, territories and the assignment of accounts: parse, call, render.

Portfolios follow the accounts' rule: a portfolio the user may not see (an executive looking at someone
else's) is a 404 on its page, its edits and its chart data; one they may see but not shape (their own,
or any for a read-only role) is a 403 on its edits. Territories are the company's map: everyone sees
them, only managers and administrators change them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from cartera.accounts.filtersets import AccountFilterSet
from cartera.accounts.models import Account, AccountStatus
from cartera.core.errors import ConflictError, PermissionDeniedError
from cartera.core.htmx import render_page_or_partial
from cartera.core.lists import filtered, style_filter_form
from cartera.coverage.filtersets import PortfolioFilterSet
from cartera.coverage.forms import (
    AccountPortfolioForm,
    AccountsAssignForm,
    PortfolioForm,
    PortfolioReassignForm,
    TerritoryForm,
)
from cartera.coverage.models import Portfolio, Territory
from cartera.coverage.selectors import (
    MAP_COUNTRY,
    portfolio_accounts,
    portfolio_health,
    portfolio_history,
    portfolios_with_figures,
    region_map,
    territories_with_figures,
    territory_accounts,
)
from cartera.coverage.services import (
    accounts_assign_portfolio,
    portfolio_create,
    portfolio_reassign,
    portfolio_update,
    territory_create,
    territory_update,
)
from cartera.insights.selectors import disconnection_alerts

ALERTS_LIMIT = 10
# Account lists inside a portfolio's or a territory's page: a page of them, the full list one click away.
EMBEDDED_PAGE_SIZE = 20
# The account filters the assignment page offers (the accounts list has more).
ASSIGN_FILTERS = ["q", "region", "territory", "portfolio", "status", "industry"]


def _page(request: HttpRequest, queryset: QuerySet[Any], size: int | None = None) -> Page:
    return Paginator(queryset, size or settings.CARTERA_PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _ensure_manager(user: Any) -> None:
    if not user.manages_everything:
        raise PermissionDenied


def _visible_portfolio(user: Any, pk: int) -> Portfolio:
    return get_object_or_404(Portfolio.objects.visible_to(user).select_related("owner"), pk=pk)


def _local_path(url: str) -> str:
    """`url` when it is a path on this site (where to go back after a form), else ""."""
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else ""


def _accounts_url(**filters: Any) -> str:
    return f"{reverse('accounts:list')}?{urlencode(filters)}"


# Portfolios


@login_required
@require_GET
def portfolio_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    filterset = PortfolioFilterSet(
        request.GET or None, queryset=portfolios_with_figures(user), request=request
    )
    context = {
        "section": "coverage",
        "filter": filterset,
        "portfolios": filterset.qs,
        "may_manage": user.manages_everything,
    }
    return render(request, "coverage/portfolio_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def portfolio_new(request: HttpRequest) -> HttpResponse:
    _ensure_manager(request.user)
    form = PortfolioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            portfolio = portfolio_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The portfolio %(name)s was created.") % {"name": portfolio})
            return redirect("coverage:portfolio_detail", pk=portfolio.pk)
    return render(request, "coverage/portfolio_form.html", {"section": "coverage", "form": form})


@login_required
@require_GET
def portfolio_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    portfolio = _visible_portfolio(user, pk)
    alerts = list(disconnection_alerts(user=user).filter(account__portfolio=portfolio)[:ALERTS_LIMIT])
    context = {
        "section": "coverage",
        "portfolio": portfolio,
        "health": portfolio_health(portfolio, user=user),
        "alerts": alerts,
        "history": portfolio_history(portfolio),
        "page": _page(request, portfolio_accounts(portfolio, user=user), EMBEDDED_PAGE_SIZE),
        "query": _query_without_page(request),
        "may_manage": user.manages_everything,
        "accounts_url": _accounts_url(portfolio=portfolio.pk),
    }
    return render_page_or_partial(
        request,
        "coverage/portfolio_detail.html",
        "coverage/partials/portfolio_accounts.html",
        context,
        target="portfolio-accounts",
    )


@login_required
@require_http_methods(["GET", "POST"])
def portfolio_edit(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _visible_portfolio(request.user, pk)
    _ensure_manager(request.user)
    form = PortfolioForm(request.POST or None, portfolio=portfolio)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            portfolio = portfolio_update(
                actor=request.user,
                portfolio=portfolio,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ValidationError as error:  # ConflictError included: a stale version is refused whole
            form.add_service_error(error)
            conflict = isinstance(error, ConflictError)
            portfolio.refresh_from_db()
        else:
            messages.success(request, _("The changes to %(name)s were saved.") % {"name": portfolio})
            return redirect("coverage:portfolio_detail", pk=portfolio.pk)
    context = {"section": "coverage", "form": form, "portfolio": portfolio, "conflict": conflict}
    return render(request, "coverage/portfolio_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def portfolio_reassign_view(request: HttpRequest, pk: int) -> HttpResponse:
    portfolio = _visible_portfolio(request.user, pk)
    _ensure_manager(request.user)
    form = PortfolioReassignForm(request.POST or None, portfolio=portfolio)
    conflict = False
    if request.method == "POST" and form.is_valid():
        previous = portfolio.owner
        try:
            portfolio = portfolio_reassign(
                actor=request.user,
                portfolio=portfolio,
                new_owner=form.cleaned_data["new_owner"],
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_error(error)
            conflict = isinstance(error, ConflictError)
            portfolio.refresh_from_db()
        else:
            messages.success(
                request,
                _("%(name)s now belongs to %(owner)s (before: %(previous)s).")
                % {"name": portfolio, "owner": portfolio.owner, "previous": previous},
            )
            return redirect("coverage:portfolio_detail", pk=portfolio.pk)
    context = {
        "section": "coverage",
        "form": form,
        "portfolio": portfolio,
        "conflict": conflict,
        "accounts_count": portfolio.accounts.count(),
    }
    return render(request, "coverage/portfolio_reassign.html", context)


@login_required
@require_GET
def portfolio_tiers_data(request: HttpRequest, pk: int) -> JsonResponse:
    """The portfolio's accounts per loyalty tier, each bar linking to those accounts."""
    portfolio = _visible_portfolio(request.user, pk)
    health = portfolio_health(portfolio, user=request.user)
    items = [
        {
            "key": item.key,
            "name": item.label,
            "value": item.count,
            "url": _accounts_url(portfolio=portfolio.pk, tier=item.key),
        }
        for item in health.tiers
    ]
    return JsonResponse({"empty": not any(item.count for item in health.tiers), "items": items})


@login_required
@require_GET
def portfolio_segments_data(request: HttpRequest, pk: int) -> JsonResponse:
    """The portfolio's accounts per segment, each slice linking to those accounts."""
    portfolio = _visible_portfolio(request.user, pk)
    health = portfolio_health(portfolio, user=request.user)
    items = [
        {
            "name": item.label or _("No segment"),
            "value": item.count,
            **({"url": _accounts_url(portfolio=portfolio.pk, segment=item.key)} if item.key else {}),
        }
        for item in health.segments
    ]
    # Accounts none of which has a segment yet make no chart, just the empty text.
    return JsonResponse({"empty": not any(item.key for item in health.segments), "items": items})


# Assigning accounts to portfolios


@login_required
@require_http_methods(["GET", "POST"])
def accounts_assign(request: HttpRequest) -> HttpResponse:
    """The accounts list with a tick box per row and a target portfolio: moves them all or none."""
    user: Any = request.user
    _ensure_manager(user)
    form = AccountsAssignForm(request.POST or None, initial={"target": request.GET.get("target")})
    if request.method == "POST" and form.is_valid():
        versions = form.cleaned_data["accounts"]
        target = form.cleaned_data["target"]
        try:
            moved = accounts_assign_portfolio(
                actor=user,
                portfolio=target,
                account_ids=list(versions),
                expected_versions={pk: v for pk, v in versions.items() if v >= 0},
            )
        except ConflictError:
            form.add_error(
                None,
                _(
                    "Some of these accounts were changed by someone else since the list was shown. "
                    "No account was moved: look at the list again and repeat."
                ),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            count = len(versions)
            if len(moved) == count:
                text = ngettext(
                    "%(count)s account moved to %(portfolio)s.",
                    "%(count)s accounts moved to %(portfolio)s.",
                    count,
                )
            else:
                text = ngettext(
                    "%(moved)s of %(count)s account moved to %(portfolio)s (the others were already there).",
                    "%(moved)s of %(count)s accounts moved to %(portfolio)s (the others were already there).",
                    count,
                )
            messages.success(request, text % {"moved": len(moved), "count": count, "portfolio": target})
            return redirect(f"{reverse('coverage:assign')}?{request.GET.urlencode()}")
    filterset = AccountFilterSet(request.GET or None, request=request)
    style_filter_form(filterset.form)
    ticked = {int(v.split(":")[0]) for v in request.POST.getlist("accounts") if v.split(":")[0].isdigit()}
    form_fields = filterset.form.fields
    context = {
        "section": "coverage",
        "filter": filterset,
        # A refused filter value lists no account (as the accounts list does), never all of them.
        "page": _page(request, filtered(filterset)),
        "query": _query_without_page(request),
        "filter_fields": [filterset.form[name] for name in ASSIGN_FILTERS if name in form_fields],
        "form": form,
        "ticked": ticked,
    }
    return render_page_or_partial(
        request,
        "coverage/assign.html",
        "coverage/partials/assign_table.html",
        context,
        target="assign-results",
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_portfolio(request: HttpRequest, pk: int) -> HttpResponse:
    """Move one account to another portfolio (or out of any)."""
    account = get_object_or_404(
        Account.objects.visible_to(request.user).select_related("portfolio__owner"), pk=pk
    )
    _ensure_manager(request.user)
    form = AccountPortfolioForm(request.POST or None, account=account)
    conflict = False
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["portfolio"]
        try:
            accounts_assign_portfolio(
                actor=request.user,
                portfolio=target,
                account_ids=[account.pk],
                expected_versions={account.pk: form.cleaned_data["version"]},
            )
        except ValidationError as error:
            form.add_service_error(error)
            conflict = isinstance(error, ConflictError)
        else:
            if target is None:
                text = _("%(account)s is no longer in a portfolio.") % {"account": account}
            else:
                text = _("%(account)s is now in %(portfolio)s.") % {"account": account, "portfolio": target}
            messages.success(request, text)
            next_url = _local_path(request.POST.get("next", ""))
            return redirect(next_url) if next_url else redirect(account)
    context = {
        "section": "coverage",
        "form": form,
        "account": account,
        "conflict": conflict,
        "next": _local_path(request.GET.get("next", request.POST.get("next", ""))),
    }
    return render(request, "coverage/account_portfolio_form.html", context)


# Territories


@login_required
@require_GET
def territory_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context = {
        "section": "coverage",
        "territories": territories_with_figures(user),
        "may_manage": user.manages_everything,
    }
    return render(request, "coverage/territory_list.html", context)


@login_required
@require_GET
def territory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    territory = get_object_or_404(
        Territory.objects.visible_to(user).select_related("parent", "responsible"), pk=pk
    )
    status = request.GET.get("status", "")
    if status not in AccountStatus.values:
        status = ""
    regions = [region for region in region_map(user=user, territory=territory) if region.in_focus]
    context = {
        "section": "coverage",
        "territory": territory,
        "children": list(territory.children.select_related("responsible").order_by("name")),
        "regions": regions,
        "other_regions": sorted(
            territory.regions.exclude(region__startswith=f"{MAP_COUNTRY}-").values_list("region", flat=True)
        ),
        "status": status,
        "statuses": AccountStatus.choices,
        "page": _page(request, territory_accounts(territory, user=user, status=status), EMBEDDED_PAGE_SIZE),
        "query": _query_without_page(request),
        "may_manage": user.manages_everything,
    }
    return render_page_or_partial(
        request,
        "coverage/territory_detail.html",
        "coverage/partials/territory_accounts.html",
        context,
        target="territory-accounts",
    )


def _on_regions(error: ValidationError) -> ValidationError:
    """The regions' own errors (not a region, taken by another territory) shown on the regions field."""
    if not hasattr(error, "error_dict") and getattr(error, "code", None) in {
        "invalid_region",
        "region_taken",
    }:
        return ValidationError({"regions": error})
    return error


@login_required
@require_http_methods(["GET", "POST"])
def territory_new(request: HttpRequest) -> HttpResponse:
    _ensure_manager(request.user)
    form = TerritoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            territory = territory_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            form.add_service_error(_on_regions(error))
        else:
            messages.success(request, _("The territory %(name)s was created.") % {"name": territory})
            return redirect("coverage:territory_detail", pk=territory.pk)
    return render(request, "coverage/territory_form.html", {"section": "coverage", "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def territory_edit(request: HttpRequest, pk: int) -> HttpResponse:
    territory = get_object_or_404(Territory.objects.visible_to(request.user), pk=pk)
    _ensure_manager(request.user)
    form = TerritoryForm(request.POST or None, territory=territory)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            territory = territory_update(
                actor=request.user,
                territory=territory,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:  # ConflictError included
            form.add_service_error(_on_regions(error))
            conflict = isinstance(error, ConflictError)
            territory.refresh_from_db()
        else:
            messages.success(request, _("The changes to %(name)s were saved.") % {"name": territory})
            return redirect("coverage:territory_detail", pk=territory.pk)
    context = {"section": "coverage", "form": form, "territory": territory, "conflict": conflict}
    return render(request, "coverage/territory_form.html", context)


@login_required
@require_GET
def region_map_data(request: HttpRequest, pk: int | None = None) -> JsonResponse:
    """The country's regions for the map: the territory's in focus (every territory's without `pk`),
    with the accounts and prospects the user may see in each; a region links to its accounts."""
    user: Any = request.user
    territory = None
    if pk is not None:
        territory = get_object_or_404(Territory.objects.visible_to(user), pk=pk)
    regions = region_map(user=user, territory=territory)
    items = [
        {
            "name": region.code,
            "label": region.name,
            "territory": region.territory_name,
            "accounts": region.accounts,
            "prospects": region.prospects,
            "in_focus": region.in_focus,
            "url": _accounts_url(region=region.code),
        }
        for region in regions
    ]
    return JsonResponse(
        {"empty": not any(region.in_focus for region in regions), "country": MAP_COUNTRY, "items": items}
    )
