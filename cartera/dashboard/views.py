"""The dashboard: the landing page and the JSON its charts are drawn from.

Every view reads the scope from the query string (`?scope=territory-3`), refuses one the user may not
choose with 404, and computes through the dashboard's selectors, which start from what the user may
see. Chart endpoints answer `{"empty": true}` when there is nothing to draw; otherwise the series, the
links behind each mark (the accounts list filtered to the same accounts) and a table alternative whose
cells are already written for the reader's language.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from babel.numbers import format_decimal
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cartera.core.templatetags.cartera_format import babel_locale, money
from cartera.dashboard import selectors
from cartera.dashboard.forms import ScopeForm, SinceForm
from cartera.dashboard.selectors import Scope, ScopeNotAvailable
from cartera.dashboard.templatetags.dashboard_format import percent
from cartera.insights.models import LoyaltyTier, ProfitClass

# How many rows each attention list shows on the page.
LIST_LIMIT = 6


def _currency() -> str:
    return settings.CARTERA_DEFAULT_CURRENCY


def _scope(request: HttpRequest) -> Scope:
    try:
        return selectors.scope_for(request.user, request.GET.get("scope"))
    except ScopeNotAvailable as error:
        raise Http404(_("There is no such scope to show.")) from error


def _accounts_url(scope: Scope, **filters: str) -> str:
    """The accounts list filtered to `filters` within `scope`."""
    query = {**scope.list_filter, **filters}
    return f"{reverse('accounts:list')}?{urlencode(query)}"


def _number(amount: Decimal) -> float:
    return float(amount)


def _cell(text: Any, url: str | None = None, *, number: bool = False) -> dict[str, Any]:
    """A table cell; a count is written grouped for the reader's language ("1.234" in Spanish)."""
    if isinstance(text, int):
        text = format_decimal(text, locale=babel_locale())
    cell: dict[str, Any] = {"text": str(text)}
    if url:
        cell["url"] = url
    if number:
        cell["num"] = True
    return cell


def _table(caption: str, columns: list[str], rows: list[list[dict[str, Any]]]) -> dict[str, Any]:
    return {"caption": caption, "columns": columns, "rows": rows}


def _tier_label(tier: str) -> str:
    return str(LoyaltyTier(tier).label) if tier else _("No tier (new)")


# The page


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    scope = _scope(request)
    today = timezone.localdate()
    since_form = SinceForm(request.GET if request.GET.get("since") else None, today=today)
    since = since_form.cleaned_data["since"] if since_form.is_valid() else SinceForm.default(today)
    choices = selectors.scope_choices(user)
    alerts = selectors.contact_alerts(user=user, scope=scope)
    commitments = selectors.overdue_commitments(user=user, scope=scope, today=today)
    rises = selectors.churn_rises(user=user, scope=scope)
    chart_query = urlencode({"scope": scope.key})
    context = {
        "section": "dashboard",
        "scope": scope,
        "scope_label": scope.label_for(user),
        "scope_form": ScopeForm({"scope": scope.key}, choices=choices),
        "since_form": since_form,
        "since": since,
        "today": today,
        "figures": selectors.profit_figures(user=user, scope=scope, as_of=today),
        "currency": _currency(),
        "chart_query": chart_query,
        "moves_query": urlencode({"scope": scope.key, "since": since.isoformat()}),
        "alerts": list(alerts[:LIST_LIMIT]),
        "alerts_url": _accounts_url(scope, disconnected="true"),
        "commitments": list(commitments[:LIST_LIMIT]),
        "rises": list(rises[:LIST_LIMIT]),
        "limit": LIST_LIMIT,
    }
    return render(request, "dashboard/home.html", context)


# The charts' JSON


@login_required
@require_GET
def tiers_data(request: HttpRequest) -> JsonResponse:
    """Accounts per loyalty tier; each bar opens the accounts list filtered to its tier and the scope."""
    scope = _scope(request)
    counts = selectors.accounts_per_tier(user=request.user, scope=scope)
    if not any(counts.values()):
        return JsonResponse({"empty": True})
    bars: list[dict[str, Any]] = [
        {
            "key": tier,
            "name": _tier_label(tier),
            "value": count,
            "url": _accounts_url(scope, tier=tier),
        }
        for tier, count in counts.items()
    ]
    total = sum(counts.values())
    return JsonResponse(
        {
            "empty": False,
            "bars": bars,
            "table": _table(
                _("Accounts per loyalty tier"),
                [_("Loyalty tier"), _("Accounts"), _("Share")],
                [
                    [
                        _cell(bar["name"], bar["url"]),
                        _cell(bar["value"], number=True),
                        _cell(percent(Decimal(bar["value"]) / total), number=True),
                    ]
                    for bar in bars
                ],
            ),
        }
    )


@login_required
@require_GET
def moves_data(request: HttpRequest) -> JsonResponse:
    """The net tier moves since a date as a Sankey: nodes are "tier (before)" and "tier (now)", so the
    graph has no cycles; each link and node opens the accounts that moved."""
    scope = _scope(request)
    today = timezone.localdate()
    form = SinceForm(request.GET, today=today)
    if not form.is_valid():
        return JsonResponse({"error": form.errors.get_json_data()}, status=400)
    since = form.cleaned_data["since"]
    flows = selectors.tier_flows(user=request.user, scope=scope, since=since, until=today)
    if not flows:
        return JsonResponse({"empty": True, "since": since.isoformat()})
    moved = {"moved_since": since.isoformat()}

    def before(tier: str) -> str:
        return _("%(tier)s (before)") % {"tier": _tier_label(tier)}

    def after(tier: str) -> str:
        return _("%(tier)s (now)") % {"tier": _tier_label(tier)}

    order = ["", *LoyaltyTier.values]
    befores = sorted({flow.tier_before for flow in flows}, key=order.index)
    afters = sorted({flow.tier_after for flow in flows}, key=order.index)
    nodes: list[dict[str, Any]] = [
        {
            "name": before(tier),
            "tier": tier or "new",
            "side": "before",
            "url": _accounts_url(scope, **moved, moved_from=tier or "new"),
        }
        for tier in befores
    ] + [
        {
            "name": after(tier),
            "tier": tier,
            "side": "after",
            "url": _accounts_url(scope, **moved, moved_to=tier),
        }
        for tier in afters
    ]
    links: list[dict[str, Any]] = [
        {
            "source": before(flow.tier_before),
            "target": after(flow.tier_after),
            "value": flow.accounts,
            "up": order.index(flow.tier_after) > order.index(flow.tier_before),
            "url": _accounts_url(
                scope, **moved, moved_from=flow.tier_before or "new", moved_to=flow.tier_after
            ),
        }
        for flow in flows
    ]
    return JsonResponse(
        {
            "empty": False,
            "since": since.isoformat(),
            "nodes": nodes,
            "links": links,
            "table": _table(
                _("Tier moves since %(date)s") % {"date": date_format(since, "SHORT_DATE_FORMAT")},
                [_("From"), _("To"), _("Accounts")],
                [
                    [
                        _cell(_tier_label(flow.tier_before)),
                        _cell(_tier_label(flow.tier_after)),
                        _cell(flow.accounts, link["url"], number=True),
                    ]
                    for flow, link in zip(flows, links, strict=True)
                ],
            ),
        }
    )


@login_required
@require_GET
def curve_data(request: HttpRequest) -> JsonResponse:
    """The profitability curve; each point opens the accounts of its profit class."""
    scope = _scope(request)
    curve = selectors.profit_curve(user=request.user, scope=scope)
    if not curve.points:
        return JsonResponse({"empty": True})
    labels = dict(ProfitClass.choices)
    urls = {choice: _accounts_url(scope, profit_class=choice) for choice in ProfitClass.values}
    points = [
        {
            "value": [_number(point.accounts_share * 100), _number(point.profit_share * 100)],
            "accounts": point.accounts,
            "profit_class": point.profit_class,
            "url": urls[point.profit_class] if point.accounts else None,
        }
        for point in curve.points
    ]
    # The stretch of the ranking each class covers, in percent of the accounts.
    bands, start = [], 0
    for choice in ProfitClass.values:
        count = curve.class_counts.get(choice, 0)
        if count:
            bands.append(
                {
                    "profit_class": choice,
                    "from": 100 * start / curve.accounts,
                    "to": 100 * (start + count) / curve.accounts,
                    "url": urls[choice],
                }
            )
        start += count
    peak = max(curve.points, key=lambda point: point.profit_share)
    return JsonResponse(
        {
            "empty": False,
            "points": points,
            "bands": bands,
            "peak": {
                "accounts_share": _number(peak.accounts_share * 100),
                "profit_share": _number(peak.profit_share * 100),
            },
            "labels": {"x": _("Share of accounts, most profitable first"), "y": _("Share of net profit")},
            "table": _table(
                _("Profitability curve by profit class"),
                [_("Profit class"), _("Accounts"), _("Share of accounts")],
                [
                    [
                        _cell(labels[choice], urls[choice]),
                        _cell(curve.class_counts.get(choice, 0), number=True),
                        _cell(
                            percent(Decimal(curve.class_counts.get(choice, 0)) / curve.accounts), number=True
                        ),
                    ]
                    for choice in ProfitClass.values
                ]
                + [
                    [
                        _cell(_("Peak of the curve")),
                        _cell(peak.accounts, number=True),
                        _cell(
                            _("%(profit)s of the net profit") % {"profit": percent(peak.profit_share)},
                            number=True,
                        ),
                    ]
                ],
            ),
        }
    )


def _profit_bars(request: HttpRequest, by: str) -> JsonResponse:
    scope = _scope(request)
    groups = selectors.net_profit_by(user=request.user, scope=scope, by=by)
    if not groups or not any(group.net_profit or group.revenue for group in groups):
        return JsonResponse({"empty": True})
    currency = _currency()
    none_label = _("No segment") if by == "segment" else _("No territory")
    bars: list[dict[str, Any]] = [
        {
            "name": group.name or none_label,
            "value": _number(group.net_profit),
            "text": money(group.net_profit, currency),
            "accounts": group.accounts,
            "url": _accounts_url(scope, **{by: str(group.pk)}) if group.pk is not None else None,
        }
        for group in groups
    ]
    title = _("Net profit by segment") if by == "segment" else _("Net profit by territory")
    return JsonResponse(
        {
            "empty": False,
            "currency": currency,
            "bars": bars,
            "table": _table(
                title,
                [
                    _("Segment") if by == "segment" else _("Territory"),
                    _("Accounts"),
                    _("Revenue"),
                    _("Net profit"),
                ],
                [
                    [
                        _cell(bar["name"], bar["url"]),
                        _cell(group.accounts, number=True),
                        _cell(money(group.revenue, currency), number=True),
                        _cell(bar["text"], number=True),
                    ]
                    for bar, group in zip(bars, groups, strict=True)
                ],
            ),
        }
    )


@login_required
@require_GET
def segments_data(request: HttpRequest) -> JsonResponse:
    """Net profit per segment; each bar opens the segment's accounts in the scope."""
    return _profit_bars(request, "segment")


@login_required
@require_GET
def territories_data(request: HttpRequest) -> JsonResponse:
    """Net profit per territory; each bar opens the territory's accounts in the scope."""
    return _profit_bars(request, "territory")
