"""Small reads the engine's modules share without importing each other in a cycle."""

from __future__ import annotations

from cartera.insights.models import LoyaltyRules


def current_window_days() -> int:
    stored = LoyaltyRules.objects.order_by("pk").values_list("window_days", flat=True).first()
    return stored or 365
