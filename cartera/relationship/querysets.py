"""Reads for interactions, commitments, referrals and feedback."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from cartera.accounts.querysets import AccountScopedQuerySet


def overdue_q(today: dt.date) -> Q:
    """Overdue: still open after its due date (a commitment due today is not overdue yet). Every list,
    count and flag of overdue commitments reads this rule (Commitment.overdue_on is the same rule for
    one commitment in hand); the trust score counts such a commitment as broken."""
    return Q(status="open", due_date__lt=today)


class InteractionQuerySet(AccountScopedQuerySet):
    pass


class CommitmentQuerySet(AccountScopedQuerySet):
    def open(self) -> CommitmentQuerySet:
        return self.filter(status="open")

    def overdue(self, today: dt.date) -> CommitmentQuerySet:
        return self.filter(overdue_q(today))


class ReferralQuerySet(AccountScopedQuerySet):
    pass


class FeedbackQuerySet(AccountScopedQuerySet):
    def open_complaints(self) -> FeedbackQuerySet:
        return self.filter(kind="complaint").exclude(status="closed")
