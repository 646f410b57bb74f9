"""Reads about coverage that several callers share: the assignment rule, the territory tree, and the
figures of the portfolio and territory pages. Every read that counts or lists accounts goes through
visible_to(user)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from cartera.accounts.models import Account, AccountStatus
from cartera.commerce.amounts import from_cents
from cartera.core.regions import region_choices, region_name
from cartera.coverage.models import Portfolio, PortfolioReassignment, Territory, TerritoryRegion
from cartera.insights.models import TIER_ORDER, AccountInsight, LoyaltyTier

# The country the territory map draws (the vendored GeoJSON holds its first-level regions).
MAP_COUNTRY = "CL"
HISTORY_LIMIT = 20


def territory_for_region(region: str) -> Territory | None:
    """The territory whose regions include `region` (assignment rule: region decides territory)."""
    if not region:
        return None
    link = TerritoryRegion.objects.select_related("territory").filter(region=region.upper()).first()
    return link.territory if link else None


def territory_descendant_ids(territory: Territory) -> list[int]:
    """The territory and every territory nested below it."""
    ids = [territory.pk]
    frontier = [territory.pk]
    while frontier:
        frontier = list(Territory.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def portfolio_owner_candidates() -> QuerySet[Any]:
    """The users a portfolio may be given to: active executives and managers."""
    from cartera.coverage.services import PORTFOLIO_OWNER_ROLES

    return (
        get_user_model()
        .objects.filter(is_active=True, role__in=PORTFOLIO_OWNER_ROLES)
        .order_by("first_name", "last_name", "username")
    )


# Portfolios


def portfolios_with_figures(user: Any) -> QuerySet[Portfolio]:
    """The portfolios `user` may see, each with its number of accounts, their net profit over 12 months
    (cents) and their disconnection alerts, in one query."""
    return (
        Portfolio.objects.visible_to(user)
        .select_related("owner")
        .annotate(
            accounts_count=Count("accounts"),
            net_profit_12m_cents=Coalesce(Sum("accounts__insight__net_profit_12m_cents"), 0),
            alerts_count=Count("accounts", filter=Q(accounts__insight__is_disconnected=True)),
        )
        .order_by("-is_active", "name")
    )


@dataclass(frozen=True)
class CountItem:
    """One bar of a small chart: a key, its label, how many accounts."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class PortfolioHealth:
    """What a portfolio's page shows above its accounts."""

    accounts: int
    with_insight: int
    revenue_12m: Decimal
    gross_margin_12m: Decimal
    net_profit_12m: Decimal
    loss_making: int
    alerts: int
    tiers: list[CountItem]
    segments: list[CountItem]


def portfolio_health(portfolio: Portfolio, *, user: Any) -> PortfolioHealth:
    """The portfolio's figures over the accounts `user` may see in it (all of them for its owner and
    for the managers), from the insights snapshot: three queries."""
    accounts = Account.objects.visible_to(user).filter(portfolio=portfolio)
    insights = AccountInsight.objects.filter(account__in=accounts.values("pk"))
    totals = insights.aggregate(
        rows=Count("pk"),
        revenue=Coalesce(Sum("revenue_12m_cents"), 0),
        cogs=Coalesce(Sum("cogs_12m_cents"), 0),
        net=Coalesce(Sum("net_profit_12m_cents"), 0),
        loss_making=Count("pk", filter=Q(profit_class="L")),
        alerts=Count("pk", filter=Q(is_disconnected=True)),
        **{f"tier_{tier}": Count("pk", filter=Q(tier=tier)) for tier in TIER_ORDER},
    )
    tier_labels = dict(LoyaltyTier.choices)
    tiers = [CountItem(tier, str(tier_labels[tier]), totals[f"tier_{tier}"]) for tier in TIER_ORDER]
    segment_rows = (
        insights.values("segment_id", "segment__name")
        .annotate(count=Count("pk"))
        .order_by("-count", F("segment__name").asc(nulls_last=True))
    )
    segments = [
        CountItem(str(row["segment_id"] or ""), row["segment__name"] or "", row["count"])
        for row in segment_rows
    ]
    return PortfolioHealth(
        accounts=accounts.count(),
        with_insight=totals["rows"],
        revenue_12m=from_cents(totals["revenue"]),
        gross_margin_12m=from_cents(totals["revenue"] - totals["cogs"]),
        net_profit_12m=from_cents(totals["net"]),
        loss_making=totals["loss_making"],
        alerts=totals["alerts"],
        tiers=tiers,
        segments=segments,
    )


def portfolio_accounts(portfolio: Portfolio, *, user: Any) -> QuerySet[Account]:
    """The portfolio's accounts `user` may see, with their metrics and segment, best net profit first."""
    return (
        Account.objects.visible_to(user)
        .filter(portfolio=portfolio)
        .select_related("insight__segment", "territory")
        .order_by(Coalesce("insight__net_profit_12m_cents", 0).desc(), "legal_name", "pk")
    )


def portfolio_history(portfolio: Portfolio) -> list[PortfolioReassignment]:
    """The portfolio's latest hand-overs, newest first."""
    return list(
        portfolio.reassignments.select_related("from_owner", "to_owner", "changed_by").order_by(
            "-created_at", "-pk"
        )[:HISTORY_LIMIT]
    )


# Territories


def territories_with_figures(user: Any) -> list[Territory]:
    """Every territory as a tree, depth first: each with `depth`, `region_codes` (its own), and the
    accounts and prospects `user` may see in it and in the territories below it. Three queries."""
    territories = list(
        Territory.objects.visible_to(user).select_related("responsible", "parent").order_by("name")
    )
    regions: dict[int, list[str]] = defaultdict(list)
    for territory_id, code in TerritoryRegion.objects.order_by("region").values_list(
        "territory_id", "region"
    ):
        regions[territory_id].append(code)
    counts = _account_counts_by(
        Account.objects.visible_to(user).filter(territory__isnull=False), "territory_id"
    )
    children: dict[int | None, list[Territory]] = defaultdict(list)
    for territory in territories:
        children[territory.parent_id].append(territory)
    known = {territory.pk for territory in territories}
    ordered: list[Territory] = []

    def walk(territory: Territory, depth: int) -> tuple[int, int]:
        territory.depth = depth  # type: ignore[attr-defined]
        territory.region_codes = regions.get(territory.pk, [])  # type: ignore[attr-defined]
        ordered.append(territory)
        accounts, prospects = counts.get(territory.pk, (0, 0))
        for child in children.get(territory.pk, []):
            child_accounts, child_prospects = walk(child, depth + 1)
            accounts, prospects = accounts + child_accounts, prospects + child_prospects
        territory.has_children = bool(children.get(territory.pk))  # type: ignore[attr-defined]
        territory.accounts_count = accounts  # type: ignore[attr-defined]
        territory.prospects_count = prospects  # type: ignore[attr-defined]
        return accounts, prospects

    roots = [t for t in territories if t.parent_id is None or t.parent_id not in known]
    for root in roots:
        walk(root, 0)
    return ordered


def _account_counts_by(accounts: QuerySet[Account], key: str) -> dict[Any, tuple[int, int]]:
    """(accounts, prospects) per value of `key`, in one grouped query."""
    rows = (
        accounts.order_by()
        .values(key)
        .annotate(total=Count("pk"), prospects=Count("pk", filter=Q(status=AccountStatus.PROSPECT)))
    )
    return {row[key]: (row["total"], row["prospects"]) for row in rows}


def territory_accounts(territory: Territory, *, user: Any, status: str = "") -> QuerySet[Account]:
    """The accounts `user` may see in the territory and in those below it (optionally of one status)."""
    accounts = (
        Account.objects.visible_to(user)
        .filter(territory_id__in=territory_descendant_ids(territory))
        .select_related("portfolio", "territory")
    )
    if status:
        accounts = accounts.filter(status=status)
    return accounts.order_by("legal_name", "pk")


@dataclass(frozen=True)
class MapRegion:
    """One region on the territory map: which territory it falls in (if any) and what is there."""

    code: str
    name: str
    territory_id: int | None
    territory_name: str
    accounts: int
    prospects: int
    in_focus: bool  # in the territory the page is about (or any territory on the overview map)


def region_map(*, user: Any, territory: Territory | None = None) -> list[MapRegion]:
    """Every first-level region of MAP_COUNTRY with the territory it belongs to and the accounts and
    prospects `user` may see there. With `territory`, the regions of it and of the territories below
    it are in focus; without, every region assigned to a territory is. Two queries."""
    focus_ids = set(territory_descendant_ids(territory)) if territory is not None else None
    owners = {
        code: (territory_id, name)
        for code, territory_id, name in TerritoryRegion.objects.filter(
            region__startswith=f"{MAP_COUNTRY}-"
        ).values_list("region", "territory_id", "territory__name")
    }
    counts = _account_counts_by(
        Account.objects.visible_to(user).filter(country=MAP_COUNTRY).exclude(region=""), "region"
    )
    regions = []
    for code, _name in region_choices(MAP_COUNTRY):
        territory_id, territory_name = owners.get(code, (None, ""))
        accounts, prospects = counts.get(code, (0, 0))
        in_focus = territory_id is not None and (focus_ids is None or territory_id in focus_ids)
        regions.append(
            MapRegion(code, region_name(code), territory_id, territory_name, accounts, prospects, in_focus)
        )
    return regions
