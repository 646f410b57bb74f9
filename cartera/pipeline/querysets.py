"""The vocabulary of reads for opportunities and the contacts involved in them."""

from __future__ import annotations

from django.db.models import Case, Count, F, IntegerField, Sum, Value, When
from django.db.models.functions import Coalesce

from cartera.accounts.querysets import AccountScopedQuerySet


class OpportunityQuerySet(AccountScopedQuerySet):
    def open(self) -> OpportunityQuerySet:
        from cartera.pipeline.models import OPEN_STAGES

        return self.filter(stage__in=OPEN_STAGES)

    def closed(self) -> OpportunityQuerySet:
        from cartera.pipeline.models import Stage

        return self.filter(stage__in=[Stage.WON, Stage.LOST])

    def won(self) -> OpportunityQuerySet:
        return self.filter(stage="won")

    def lost(self) -> OpportunityQuerySet:
        return self.filter(stage="lost")

    def owned_by(self, user: object) -> OpportunityQuerySet:
        return self.filter(owner=user)

    def totals(self) -> dict[str, int]:
        """Count, amount and probability-weighted amount (in cents, rounded down) of the rows."""
        weighted = Case(
            When(probability__gt=0, then=F("amount_cents") * F("probability") / 100),
            default=Value(0),
            output_field=IntegerField(),
        )
        row = self.order_by().aggregate(
            count=Count("pk"),
            amount_cents=Coalesce(Sum("amount_cents"), Value(0)),
            weighted_cents=Coalesce(Sum(weighted), Value(0)),
        )
        return {key: int(value or 0) for key, value in row.items()}


class OpportunityContactQuerySet(AccountScopedQuerySet):
    account_field = "opportunity__account"
