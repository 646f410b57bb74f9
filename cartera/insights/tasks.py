"""Background entry points of the insights engine, and the hook services call after a write."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django_tasks import task

from cartera.insights.services import insights_refresh_accounts


@task()
def refresh_account_insights(account_ids: list[int]) -> dict[str, int]:
    """Bring the given accounts' facts and snapshot up to date."""
    result = insights_refresh_accounts(account_ids=account_ids)
    return {"accounts": result.accounts, "tier_changes": result.tier_changes}


def queue_insights_refresh(account_ids: Iterable[int]) -> None:
    """After the current transaction commits, queue a refresh of these accounts' insights.

    Called by every service that writes something the insights read (orders, costs, spend, referrals,
    interactions, commitments, feedback), whatever the path: form, API, import.
    """
    ids = sorted({int(pk) for pk in account_ids if pk is not None})
    if ids:
        transaction.on_commit(lambda: refresh_account_insights.enqueue(account_ids=ids))


@task()
def reassign_segments() -> dict[str, int]:
    """Re-segment every account after a segment or service model changed, with its alerts and churn."""
    from cartera.insights.segment_services import segments_reassign

    return {"accounts": segments_reassign()}
