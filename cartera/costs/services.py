"""Every write to service costs and marketing spend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from cartera.accounts.models import Account
from cartera.accounts.services import ensure_can_edit_account
from cartera.core.services import model_create
from cartera.costs.models import MarketingSpend, ServiceCost
from cartera.insights.tasks import queue_insights_refresh


def service_cost_record(
    *, actor: Any, account: Account, date: dt.date, kind: str, amount: Decimal, note: str = ""
) -> ServiceCost:
    """Record a cost of serving an account."""
    with transaction.atomic():
        ensure_can_edit_account(actor, account)
        # Rolled back with the transaction if the write fails.
        queue_insights_refresh([account.pk], days=[(account.pk, date)])
        return model_create(
            actor=actor, instance=ServiceCost(account=account, date=date, kind=kind, amount=amount, note=note)
        )


def marketing_spend_record(
    *, actor: Any, account: Account, date: dt.date, campaign: str, amount: Decimal, note: str = ""
) -> MarketingSpend:
    """Record marketing money spent on (or allocated to) an account."""
    with transaction.atomic():
        ensure_can_edit_account(actor, account)
        # Rolled back with the transaction if the write fails.
        queue_insights_refresh([account.pk], days=[(account.pk, date)])
        return model_create(
            actor=actor,
            instance=MarketingSpend(account=account, date=date, campaign=campaign, amount=amount, note=note),
        )
