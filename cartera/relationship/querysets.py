"""Reads for interactions, commitments, referrals and feedback."""

from __future__ import annotations

import datetime as dt

from cartera.accounts.querysets import AccountScopedQuerySet


class InteractionQuerySet(AccountScopedQuerySet):
    pass


class CommitmentQuerySet(AccountScopedQuerySet):
    def open(self) -> CommitmentQuerySet:
        return self.filter(status="open")

    def overdue(self, today: dt.date) -> CommitmentQuerySet:
        return self.open().filter(due_date__lt=today)


class ReferralQuerySet(AccountScopedQuerySet):
    pass


class FeedbackQuerySet(AccountScopedQuerySet):
    def open_complaints(self) -> FeedbackQuerySet:
        return self.filter(kind="complaint").exclude(status="closed")
