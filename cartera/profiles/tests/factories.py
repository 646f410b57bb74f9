import datetime as dt
from decimal import Decimal

import factory

from cartera.commerce.amounts import to_cents
from cartera.profiles.models import Consumer, ConsumerOrder, Profile


class ConsumerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consumer

    customer_number = factory.Sequence(lambda n: f"C{n:07d}")
    region = "CL-RM"
    age_band = "35_44"
    channel = "store"


class ConsumerOrderFactory(factory.django.DjangoModelFactory):
    """A purchase as the services would store it (cents filled from revenue and cost)."""

    class Meta:
        model = ConsumerOrder

    consumer = factory.SubFactory(ConsumerFactory)
    date = dt.date(2026, 1, 15)
    revenue = Decimal("1000.00")
    cost = Decimal("600.00")
    revenue_cents = factory.LazyAttribute(lambda o: to_cents(Decimal(o.revenue)))
    cost_cents = factory.LazyAttribute(lambda o: to_cents(Decimal(o.cost)))


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    name = factory.Sequence(lambda n: f"Perfil {n}")
    rule = factory.LazyFunction(lambda: {"all": []})
