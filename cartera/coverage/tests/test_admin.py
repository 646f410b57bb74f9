"""Portfolio and territory writes in the admin keep the application's rules: reassignment history and
the region-to-territory assignment."""

import pytest
from django.urls import reverse

from cartera.accounts.models import Account
from cartera.accounts.tests.test_admin import form_data
from cartera.core.models import AuditRecord
from cartera.coverage.models import AccountTeamMember, PortfolioReassignment, TerritoryRegion
from cartera.coverage.tests.factories import TerritoryFactory, TerritoryRegionFactory
from cartera.users.models import Role


@pytest.fixture
def root(make_user):
    return make_user(
        role=Role.ADMINISTRATOR, username="raiz", is_superuser=True, is_staff=True, language="en"
    )


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


def test_changing_a_portfolios_owner_in_the_admin_is_a_reassignment(admin_client, root, world):
    portfolio = world.in_portfolio.portfolio
    url = reverse("admin:coverage_portfolio_change", args=[portfolio.pk])
    data = form_data(admin_client.get(url))
    data.update({"owner": str(world.other_executive.pk), "description": "Zona centro"})

    response = admin_client.post(url, data)

    assert response.status_code == 302
    portfolio.refresh_from_db()
    assert (portfolio.owner, portfolio.description, portfolio.version) == (
        world.other_executive,
        "Zona centro",
        3,
    )
    history = PortfolioReassignment.objects.get()
    assert (history.from_owner, history.to_owner, history.changed_by) == (
        world.executive,
        world.other_executive,
        root,
    )
    assert list(
        AccountTeamMember.objects.filter(account=world.in_portfolio).values_list("user__username", "role")
    ) == [("otro", "responsible")]
    assert list(AuditRecord.objects.order_by("id").values_list("changes", flat=True)) == [
        {"description": ["", "Zona centro"]},
        {"owner_id": [world.executive.pk, world.other_executive.pk]},
    ]


def test_setting_a_territorys_regions_in_the_admin_moves_the_accounts(admin_client, world):
    territory = TerritoryFactory(name="Centro")
    url = reverse("admin:coverage_territory_change", args=[territory.pk])
    data = form_data(admin_client.get(url))
    data["regions"] = "cl-rm, CL-VS"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert sorted(territory.regions.values_list("region", flat=True)) == ["CL-RM", "CL-VS"]
    assert set(Account.objects.values_list("territory", flat=True)) == {territory.pk}
    assert AuditRecord.objects.get().changes == {"regions": [[], ["CL-RM", "CL-VS"]]}


def test_a_region_of_another_territory_is_refused_on_the_admin_form(admin_client, world):
    TerritoryRegionFactory(territory=TerritoryFactory(name="Metropolitana"), region="CL-RM")
    territory = TerritoryFactory(name="Centro")
    url = reverse("admin:coverage_territory_change", args=[territory.pk])
    data = form_data(admin_client.get(url))
    data["regions"] = "CL-RM"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["regions"] == [
        "Region CL-RM already belongs to territory Metropolitana."
    ]
    assert list(TerritoryRegion.objects.values_list("territory__name", flat=True)) == ["Metropolitana"]
    assert AuditRecord.objects.count() == 0
