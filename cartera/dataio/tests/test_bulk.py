"""The order import's shortcuts give what the slow, obvious way gives."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from cartera.accounts.models import Account
from cartera.commerce.amounts import line_amounts
from cartera.commerce.models import Order, OrderLine, Product
from cartera.dataio.bulk import lock_references, restore_row_checks, skip_row_checks
from cartera.dataio.orders import OrderImporter, line_cents
from cartera.dataio.services import ImportFile, import_files
from cartera.dataio.tests.factories import ORDER_HEADER, write_csv

quantities = st.integers(min_value=1, max_value=10**14 - 1)  # thousandths, max_digits 14
money = st.integers(min_value=0, max_value=10**18 - 1)  # cents, max_digits 18
discounts = st.integers(min_value=0, max_value=10_000)  # hundredths of a percent, 0 to 100


@settings(max_examples=3000, deadline=None)
@given(quantity=quantities, price=money, discount=discounts, cost=money)
def test_integer_cents_equal_line_amounts_or_step_aside(quantity, price, discount, cost):
    exact = line_cents(quantity, price, discount, cost)
    if exact is None:  # the import then calls line_amounts itself
        return
    assert exact == line_amounts(
        quantity=Decimal(quantity).scaleb(-3),
        unit_price=Decimal(price).scaleb(-2),
        discount_pct=Decimal(discount).scaleb(-2),
        unit_cost=Decimal(cost).scaleb(-2),
    )


@settings(max_examples=2000, deadline=None)
@given(
    quantity=st.integers(min_value=1, max_value=10**7),
    price=st.integers(min_value=0, max_value=10**10),
    discount=discounts,
    cost=st.integers(min_value=0, max_value=10**10),
)
def test_everyday_lines_take_the_integer_way(quantity, price, discount, cost):
    # Halves of a cent (e.g. 0.5 units at 0.01) round up, as line_amounts does.
    assert line_cents(quantity, price, discount, cost) == line_amounts(
        quantity=Decimal(quantity).scaleb(-3),
        unit_price=Decimal(price).scaleb(-2),
        discount_pct=Decimal(discount).scaleb(-2),
        unit_cost=Decimal(cost).scaleb(-2),
    )


def test_half_cents_round_up():
    assert line_cents(500, 1, 0, 1) == (1, 1, 1)  # 0.5 × 0.01 = 0.005 → 0.01
    assert line_cents(499, 1, 0, 1) == (0, 0, 0)


def test_digits_beyond_exact_decimal_arithmetic_fall_back():
    assert line_cents(10**14 - 1, 10**18 - 1, 0, 0) is None


def _replication_role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_row_checks_are_skipped_only_for_the_import_and_vanished_references_refuse_it(catalog):
    account, product = catalog.accounts[0], catalog.products[0]
    if connection.vendor != "postgresql":
        assert skip_row_checks([Order, OrderLine]) is False
        return
    with transaction.atomic():
        assert skip_row_checks([Order, OrderLine]) is True
        assert _replication_role() == "replica"
        lock_references([(Account, [account.pk]), (Product, [product.pk])])
        restore_row_checks()
        assert _replication_role() == "origin"
    with transaction.atomic():
        skip_row_checks([Order, OrderLine])
    assert _replication_role() == "origin"  # SET LOCAL: it never outlives the transaction
    with pytest.raises(IntegrityError), transaction.atomic():
        lock_references([(Account, [account.pk, 10**12])])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("vanishing", ["account", "product"])
def test_an_import_whose_account_or_product_vanishes_before_it_writes_commits_nothing(
    catalog, tmp_path, monkeypatch, vanishing
):
    # With the per-row checks skipped (PostgreSQL), only lock_references stands between the lines and a
    # dangling reference; elsewhere the deferred foreign keys refuse it at commit.
    account, product = catalog.accounts[0], catalog.products[0]
    path = write_csv(
        tmp_path / "pedidos.csv",
        ORDER_HEADER,
        [["OC-1", catalog.tax_ids[0], "2025-03-01", product.sku, "1", "100", "0"]],
    )
    original_write = OrderImporter.write
    victim = account if vanishing == "account" else product

    def write_after_a_deletion(self):
        with connection.cursor() as cursor:  # as a concurrent deletion would, without the row checks
            cursor.execute(f'DELETE FROM "{victim._meta.db_table}" WHERE id = %s', [victim.pk])
        return original_write(self)

    monkeypatch.setattr(OrderImporter, "write", write_after_a_deletion)

    with pytest.raises(IntegrityError):
        import_files(actor=None, files=[ImportFile("orders", str(path))])

    assert (Order.objects.count(), OrderLine.objects.count()) == (0, 0)
    assert type(victim).objects.filter(pk=victim.pk).exists()
