"""Small pieces the engine's modules share without importing each other in a cycle."""

from __future__ import annotations

from typing import Any

from django.db import connection

from cartera.insights.models import AccountInsight, LoyaltyRules


def current_window_days() -> int:
    stored = LoyaltyRules.objects.order_by("pk").values_list("window_days", flat=True).first()
    return stored or 365


def lock_snapshot(cursor: Any) -> None:
    """Make the current transaction the snapshot's only writer until it ends: on PostgreSQL, a lock that
    the other writers of the snapshot (a refresh, a recomputation, a re-segmentation) wait for, while
    reads go on. A writer computes its rows from the facts and the snapshot as they were when it began;
    without the lock, a refresh committed meanwhile would be overwritten by the older figures of a
    recomputation that started before it, and two writers updating the same rows in different orders
    could deadlock. SQLite has one writer at a time already."""
    if connection.vendor == "postgresql":
        cursor.execute(f"LOCK TABLE {AccountInsight._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
