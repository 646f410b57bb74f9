"""Background entry points of the insights engine, and the hook services call after a write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django_tasks import task

from cartera.insights.services import insights_refresh_accounts


@task()
def refresh_account_insights(account_ids: list[int], days: list[list[Any]] | None = None) -> dict[str, int]:
    """Bring the given accounts' facts and snapshot up to date (with `days`, [account id, ISO date]
    pairs, only those days' facts are rebuilt)."""
    pairs = None if days is None else [(int(pk), dt.date.fromisoformat(str(day))) for pk, day in days]
    result = insights_refresh_accounts(account_ids=account_ids, days=pairs)
    return {"accounts": result.accounts, "tier_changes": result.tier_changes}


def queue_insights_refresh(
    account_ids: Iterable[int], *, days: Iterable[tuple[int, dt.date]] | None = None
) -> None:
    """After the current transaction commits, queue a refresh of these accounts' insights.

    Called by every service that writes something the insights read (orders, costs, spend, referrals,
    interactions, commitments, feedback), whatever the path: form, API, import. A caller that knows the
    (account, date) pairs its rows fall on (orders, costs and spend, before and after a change) passes
    them as `days`: the refresh then rebuilds only those daily facts instead of every day of the account.
    """
    ids = sorted({int(pk) for pk in account_ids if pk is not None})
    pairs = None if days is None else sorted({(int(pk), day.isoformat()) for pk, day in days})
    if pairs is not None:
        ids = sorted(set(ids) | {pk for pk, _day in pairs})
    if ids:
        if pairs is None:
            transaction.on_commit(lambda: refresh_account_insights.enqueue(account_ids=ids))
        else:
            serialised = [[pk, day] for pk, day in pairs]
            transaction.on_commit(lambda: refresh_account_insights.enqueue(account_ids=ids, days=serialised))


@task()
def reassign_segments() -> dict[str, int]:
    """Re-segment every account after a segment or service model changed, with its alerts and churn."""
    from cartera.insights.segment_services import segments_reassign

    return {"accounts": segments_reassign()}
