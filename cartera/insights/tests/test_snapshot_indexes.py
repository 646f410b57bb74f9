"""The snapshot's indexes in the database are the ones its model declares (ADR 11, decision 6).

Migration 0011 drops indexes by name, apart from the fields it changes in the migration state: this
pins the two to each other, and every index is paid for by every whole-snapshot write."""

from __future__ import annotations

from django.db import connection

from cartera.insights.models import AccountInsight


def test_the_snapshot_has_the_indexes_its_reads_use_and_no_other(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, AccountInsight._meta.db_table)
    indexed = sorted(
        tuple(constraint["columns"])
        for constraint in constraints.values()
        if constraint["index"] and not constraint["primary_key"]
    )
    # The profit ranking the classes walk, the lists' tier filter and the segment's foreign key; none
    # on the profit class or the contact alert, nor PostgreSQL's pattern-matching twins.
    assert indexed == [("net_profit_12m_cents", "account_id", "profit_class"), ("segment_id",), ("tier",)]
