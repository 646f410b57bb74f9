import datetime as dt
from decimal import Decimal

import factory

from cartera.costs.models import MarketingSpend, ServiceCost


class ServiceCostFactory(factory.django.DjangoModelFactory[ServiceCost]):
    class Meta:
        model = ServiceCost

    account = factory.SubFactory("cartera.accounts.tests.factories.AccountFactory")
    date = dt.date(2026, 6, 1)
    kind = "support"
    amount = Decimal("50000.00")


class MarketingSpendFactory(factory.django.DjangoModelFactory[MarketingSpend]):
    class Meta:
        model = MarketingSpend

    account = factory.SubFactory("cartera.accounts.tests.factories.AccountFactory")
    date = dt.date(2026, 6, 1)
    campaign = "Feria Expo 2026"
    amount = Decimal("120000.00")
