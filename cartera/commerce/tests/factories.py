import datetime as dt
from decimal import Decimal

import factory

from cartera.commerce.models import Order, OrderLine, Product, ProductLine


class ProductLineFactory(factory.django.DjangoModelFactory[ProductLine]):
    class Meta:
        model = ProductLine
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"L{n}")
    name = factory.Sequence(lambda n: f"Línea {n}")


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Producto {n}")
    product_line = factory.SubFactory(ProductLineFactory)
    list_price = Decimal("1000.00")
    unit_cost = Decimal("600.00")


class OrderFactory(factory.django.DjangoModelFactory[Order]):
    class Meta:
        model = Order

    account = factory.SubFactory("cartera.accounts.tests.factories.AccountFactory")
    number = factory.Sequence(lambda n: f"OC-{n:06d}")
    date = dt.date(2026, 1, 15)


class OrderLineFactory(factory.django.DjangoModelFactory[OrderLine]):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = Decimal("1")
    unit_price = Decimal("1000.00")
    discount_pct = Decimal("0")
