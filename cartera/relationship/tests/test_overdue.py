"""One rule for an overdue commitment, read the same by a query and by a commitment in hand."""

from __future__ import annotations

import datetime as dt

import pytest

from cartera.relationship.models import Commitment, CommitmentStatus
from cartera.relationship.querysets import overdue_q
from cartera.relationship.tests.factories import CommitmentFactory

TODAY = dt.date(2026, 6, 30)


@pytest.mark.django_db
def test_overdue_is_open_after_the_due_date_and_the_query_and_the_commitment_agree():
    # Given open commitments due yesterday, today and tomorrow, and resolved ones past their due date
    cases = {
        "open, due yesterday": (CommitmentStatus.OPEN, TODAY - dt.timedelta(days=1), True),
        "open, due today": (CommitmentStatus.OPEN, TODAY, False),
        "open, due tomorrow": (CommitmentStatus.OPEN, TODAY + dt.timedelta(days=1), False),
        "kept late": (CommitmentStatus.KEPT, TODAY - dt.timedelta(days=9), False),
        "broken": (CommitmentStatus.BROKEN, TODAY - dt.timedelta(days=9), False),
        "cancelled": (CommitmentStatus.CANCELLED, TODAY - dt.timedelta(days=9), False),
    }
    made = {
        name: CommitmentFactory(description=name, status=status, due_date=due)
        for name, (status, due, _expected) in cases.items()
    }
    expected = {name for name, (_status, _due, overdue) in cases.items() if overdue}

    # Then the query, the queryset method and each commitment name the same ones
    assert set(Commitment.objects.filter(overdue_q(TODAY)).values_list("description", flat=True)) == expected
    assert set(Commitment.objects.overdue(TODAY).values_list("description", flat=True)) == expected
    assert {name for name, commitment in made.items() if commitment.overdue_on(TODAY)} == expected
