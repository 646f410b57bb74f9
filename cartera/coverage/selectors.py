"""Reads about coverage that several callers share."""

from __future__ import annotations

from cartera.coverage.models import Territory, TerritoryRegion


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
