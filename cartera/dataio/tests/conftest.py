from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import translation

from cartera.accounts.models import Account
from cartera.accounts.tests.factories import AccountFactory
from cartera.commerce.models import Product
from cartera.commerce.tests.factories import ProductFactory
from cartera.core.taxid import format_tax_id


@dataclass
class Catalog:
    accounts: list[Account]
    products: list[Product]

    @property
    def tax_ids(self) -> list[str]:
        return [format_tax_id(a.country, a.tax_id) for a in self.accounts]

    @property
    def skus(self) -> list[str]:
        return [p.sku for p in self.products]


@pytest.fixture
def catalog(db) -> Catalog:
    """Ten Chilean accounts and eight products, the references an orders file names."""
    return Catalog(accounts=AccountFactory.create_batch(10), products=ProductFactory.create_batch(8))


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in the source language; the default interface language is Spanish.
    with translation.override("en"):
        yield
