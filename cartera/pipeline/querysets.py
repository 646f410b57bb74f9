"""The vocabulary of reads for opportunities and the contacts involved in them."""

from __future__ import annotations

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


class OpportunityContactQuerySet(AccountScopedQuerySet):
    account_field = "opportunity__account"
