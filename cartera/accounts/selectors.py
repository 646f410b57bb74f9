"""Reads about accounts that the account page, the API and the exports share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from cartera.accounts.models import Account, Contact
from cartera.commerce.models import Order
from cartera.coverage.models import AccountTeamMember
from cartera.relationship.models import Commitment, Interaction

LATEST = 10


@dataclass(frozen=True)
class AccountOverview:
    """What the account page shows: the account and the latest of what hangs off it."""

    account: Account
    contacts: list[Contact]
    team: list[AccountTeamMember]
    orders: list[Order]
    interactions: list[Interaction]
    open_commitments: list[Commitment]
    today: dt.date
    may_edit: bool


def visible_accounts(user: Any) -> QuerySet[Account]:
    """The accounts `user` may see, with what a page about one of them needs joined in."""
    return Account.objects.visible_to(user).select_related("portfolio__owner", "territory", "parent")


def account_overview(*, account: Account, user: Any, today: dt.date) -> AccountOverview:
    """The account page's content; `account` must come from visible_accounts(user)."""
    return AccountOverview(
        account=account,
        contacts=list(Contact.objects.active().for_account(account)),
        team=list(AccountTeamMember.objects.for_account(account).select_related("user", "product_line")),
        # An aggregate query ignores Meta.ordering: say it.
        orders=list(Order.objects.with_total().for_account(account).order_by("-date", "-id")[:LATEST]),
        interactions=list(
            Interaction.objects.for_account(account)
            .select_related("user")
            .prefetch_related("contacts")[:LATEST]
        ),
        open_commitments=list(
            Commitment.objects.open().for_account(account).select_related("promised_by", "promised_to")
        ),
        today=today,
        may_edit=Account.objects.editable_by(user).filter(pk=account.pk).exists(),
    )
