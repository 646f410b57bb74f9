import datetime as dt

import factory

from cartera.accounts.models import BuyingRole
from cartera.pipeline.models import Opportunity, OpportunityContact, Stage


class OpportunityFactory(factory.django.DjangoModelFactory[Opportunity]):
    class Meta:
        model = Opportunity

    account = factory.SubFactory("cartera.accounts.tests.factories.AccountFactory")
    name = factory.Sequence(lambda n: f"Renovación de equipos {n}")
    stage = Stage.QUALIFICATION
    amount_cents = 1_500_000_00
    currency = "CLP"
    probability = 10
    expected_close_date = dt.date(2026, 6, 30)


class OpportunityContactFactory(factory.django.DjangoModelFactory[OpportunityContact]):
    class Meta:
        model = OpportunityContact

    opportunity = factory.SubFactory(OpportunityFactory)
    contact = factory.SubFactory(
        "cartera.accounts.tests.factories.ContactFactory",
        account=factory.SelfAttribute("..opportunity.account"),
    )
    role = BuyingRole.DECISION_MAKER
