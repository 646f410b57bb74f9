import factory

from cartera.coverage.models import AccountTeamMember, Portfolio, Territory, TerritoryRegion
from cartera.users.tests.factories import UserFactory


class PortfolioFactory(factory.django.DjangoModelFactory[Portfolio]):
    class Meta:
        model = Portfolio

    name = factory.Sequence(lambda n: f"Cartera {n}")
    owner = factory.SubFactory(UserFactory)


class TerritoryFactory(factory.django.DjangoModelFactory[Territory]):
    class Meta:
        model = Territory

    name = factory.Sequence(lambda n: f"Territorio {n}")


class TerritoryRegionFactory(factory.django.DjangoModelFactory[TerritoryRegion]):
    class Meta:
        model = TerritoryRegion

    territory = factory.SubFactory(TerritoryFactory)
    region = "CL-RM"


class AccountTeamMemberFactory(factory.django.DjangoModelFactory[AccountTeamMember]):
    class Meta:
        model = AccountTeamMember

    account = factory.SubFactory("cartera.accounts.tests.factories.AccountFactory")
    user = factory.SubFactory(UserFactory)
    role = "responsible"
