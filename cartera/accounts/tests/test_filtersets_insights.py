"""The accounts list's filters on what the insights say (tier, segment, profit class, contact alert, tier
moves since a date): what the dashboard's charts link to. Visibility still applies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory
from django.urls import reverse

from cartera.accounts.filtersets import AccountFilterSet
from cartera.dashboard.tests.builders import build_dashboard_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(world):
    return build_dashboard_world(world)


def filtered(user, **data):
    request = RequestFactory().get("/accounts/", data)
    request.user = user
    filterset = AccountFilterSet(data, request=request)
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("pk", flat=True))


def test_tier_segment_profit_class_and_alert_filters(company):
    world = company.world
    manager = world.manager

    assert filtered(manager, tier="sporadic") == {world.in_portfolio.pk, world.on_team.pk}
    assert filtered(manager, tier="frequent") == {world.elsewhere.pk}
    assert filtered(manager, tier="loyal") == set()
    assert filtered(manager, segment=str(company.strategic.pk)) == {world.in_portfolio.pk, world.elsewhere.pk}
    assert filtered(manager, profit_class="B") == {world.on_team.pk}
    assert filtered(manager, disconnected="true") == {world.in_portfolio.pk, world.elsewhere.pk}
    assert filtered(manager, disconnected="false") == {world.on_team.pk}


def test_moves_filter_gives_the_net_moves_since_the_date(company):
    world = company.world
    since = (company.today - dt.timedelta(days=90)).isoformat()

    assert filtered(world.manager, moved_since=since, moved_from="frequent", moved_to="sporadic") == {
        world.in_portfolio.pk
    }
    assert filtered(world.manager, moved_to="frequent") == {world.elsewhere.pk}  # 90 days by default
    assert filtered(world.manager, moved_since=since) == {world.in_portfolio.pk, world.elsewhere.pk}
    # on_team went back where it was: no net move
    assert filtered(world.manager, moved_from="sporadic", moved_to="sporadic") == set()
    older = (company.today - dt.timedelta(days=250)).isoformat()
    assert filtered(world.manager, moved_since=older, moved_from="new") == {world.elsewhere.pk}


def test_the_filters_keep_to_what_the_user_may_see(company):
    world = company.world

    assert filtered(world.executive, tier="frequent") == set()
    assert filtered(world.executive, segment=str(company.strategic.pk)) == {world.in_portfolio.pk}
    assert filtered(world.executive, moved_to="frequent") == set()


def test_the_list_page_applies_them_and_shows_the_choice(client, company):
    world = company.world
    client.force_login(world.manager)

    response = client.get(reverse("accounts:list"), {"tier": "frequent", "territory": company.north.pk})

    assert response.status_code == 200
    assert [account.pk for account in response.context["page"].object_list] == [world.elsewhere.pk]
    assert 'value="frequent" selected' in response.content.decode()
