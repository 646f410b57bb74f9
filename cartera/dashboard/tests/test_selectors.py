"""The dashboard's reads: the two windows' figures, the scoped curve and roll-ups (equal to the insights'
selectors for the whole company), net tier moves, and the attention lists — always within what the
user may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F

from cartera.coverage.tests.factories import PortfolioFactory
from cartera.dashboard import selectors
from cartera.dashboard.selectors import Scope, ScopeNotAvailable, TierFlow, scope_for
from cartera.insights.models import AccountInsight
from cartera.insights.selectors import rollup, whale_curve

pytestmark = pytest.mark.django_db


def test_profit_figures_sum_the_window_and_the_previous_one_from_the_daily_facts(company):
    world = company.world

    figures = selectors.profit_figures(user=world.manager, scope=Scope(), as_of=company.today)

    # window: 1.000 + 800 + 300 + 3.000; previous: 500 + 2.000 (365 days ago is outside the window)
    assert figures.revenue.current == Decimal("5100.00")
    assert figures.revenue.previous == Decimal("2500.00")
    assert figures.gross_margin.current == Decimal("2040.00")
    assert figures.gross_margin.previous == Decimal("1000.00")
    assert figures.net_profit.current == Decimal("1940.00")  # less the service cost of 100
    assert figures.net_profit.previous == Decimal("1000.00")
    assert figures.net_profit.change == Decimal("0.9400")
    assert figures.margin_share == Decimal("0.4000")
    assert figures.accounts == 3
    assert figures.window_start == company.today - dt.timedelta(days=364)
    assert figures.previous_start == company.today - dt.timedelta(days=729)


def test_the_current_window_equals_the_snapshot_rollup(company):
    world = company.world

    figures = selectors.profit_figures(user=world.manager, scope=Scope(), as_of=company.today)

    [total] = rollup("company", user=world.manager)
    assert figures.revenue.current == total["revenue_12m"]
    assert figures.gross_margin.current == total["gross_margin_12m"]
    assert figures.net_profit.current == total["net_profit_12m"]


def test_the_current_window_comes_from_the_snapshot_when_it_is_as_of_the_day(company):
    world = company.world
    # A snapshot row as of the day is taken as it stands (it is the window's sum of the same facts).
    row = AccountInsight.objects.filter(revenue_12m_cents__gt=0).first()
    AccountInsight.objects.filter(pk=row.pk).update(revenue_12m_cents=F("revenue_12m_cents") + 100_00)

    figures = selectors.profit_figures(user=world.manager, scope=Scope(), as_of=company.today)

    assert figures.revenue.current == Decimal("5200.00")
    assert figures.revenue.previous == Decimal("2500.00")


def test_a_snapshot_of_another_day_leaves_the_current_window_to_the_daily_facts(company):
    world = company.world
    # One account's snapshot is a day old (and wrong): the figures are summed from the facts instead.
    row = AccountInsight.objects.filter(revenue_12m_cents__gt=0).first()
    AccountInsight.objects.filter(pk=row.pk).update(
        as_of=company.today - dt.timedelta(days=1), revenue_12m_cents=F("revenue_12m_cents") + 100_00
    )

    figures = selectors.profit_figures(user=world.manager, scope=Scope(), as_of=company.today)

    assert (figures.revenue.current, figures.revenue.previous) == (Decimal("5100.00"), Decimal("2500.00"))
    assert figures.net_profit.current == Decimal("1940.00")
    assert figures.accounts == 3


def test_an_executive_gets_the_figures_of_their_accounts_only(company):
    world = company.world

    figures = selectors.profit_figures(user=world.executive, scope=Scope(), as_of=company.today)

    assert figures.accounts == 2
    assert figures.revenue.current == Decimal("2100.00")
    assert figures.revenue.previous == Decimal("500.00")
    assert figures.net_profit.current == Decimal("740.00")


def test_no_previous_revenue_means_no_change_to_show(company):
    world = company.world
    scope = scope_for(world.manager, f"territory-{company.south.pk}")

    figures = selectors.profit_figures(user=world.manager, scope=scope, as_of=company.today)

    assert (figures.revenue.current, figures.revenue.previous) == (Decimal("300.00"), Decimal("0.00"))
    assert figures.revenue.change is None


def test_accounts_per_tier_counts_every_tier_within_the_scope(company):
    world = company.world
    north = scope_for(world.manager, f"territory-{company.north.pk}")

    assert selectors.accounts_per_tier(user=world.manager, scope=Scope()) == {
        "prospect": 0,
        "buyer": 0,
        "sporadic": 2,
        "frequent": 1,
        "loyal": 0,
    }
    assert selectors.accounts_per_tier(user=world.manager, scope=north)["sporadic"] == 1
    assert sum(selectors.accounts_per_tier(user=world.executive, scope=north).values()) == 1


def test_tier_flows_are_net_moves_since_the_date(company):
    world = company.world
    since = company.today - dt.timedelta(days=90)

    flows = selectors.tier_flows(user=world.manager, scope=Scope(), since=since, until=company.today)

    # on_team went sporadic -> frequent -> sporadic: no net move; the 200-day-old move is before `since`
    assert flows == [TierFlow("frequent", "sporadic", 1), TierFlow("sporadic", "frequent", 1)]
    assert selectors.tier_flows(user=world.executive, scope=Scope(), since=since, until=company.today) == [
        TierFlow("frequent", "sporadic", 1)
    ]
    older = company.today - dt.timedelta(days=250)
    assert TierFlow("", "frequent", 1) in selectors.tier_flows(
        user=world.manager, scope=Scope(), since=older, until=company.today
    )


def test_profit_curve_of_the_whole_company_is_the_insights_whale_curve(company):
    for user in (company.world.manager, company.world.executive):
        curve = selectors.profit_curve(user=user, scope=Scope())

        assert selectors.as_curve_points(curve) == whale_curve(user=user)
    curve = selectors.profit_curve(user=company.world.manager, scope=Scope())
    # 1.200, 620 and 120 of profit: the share before each is 0 %, 62 % and 94 %
    assert [point.profit_class for point in curve.points[1:]] == ["A", "A", "B"]
    assert curve.class_counts == {"A": 2, "B": 1, "C": 0, "L": 0}


def test_net_profit_by_territory_and_segment_sum_as_the_rollup_does(company):
    world = company.world

    territories = selectors.net_profit_by(user=world.manager, scope=Scope(), by="territory")
    segments = selectors.net_profit_by(user=world.manager, scope=Scope(), by="segment")

    expected = {row["group"]: row["net_profit_12m"] for row in rollup("territory", user=world.manager)}
    assert {group.name: group.net_profit for group in territories} == expected
    assert [(group.name, group.accounts, group.net_profit) for group in territories] == [
        ("Norte", 2, Decimal("1820.00")),
        ("Sur", 1, Decimal("120.00")),
    ]
    assert [(group.pk, group.accounts) for group in segments] == [(company.strategic.pk, 2), (None, 1)]


def test_attention_lists_follow_the_scope_and_the_user(company):
    world = company.world
    everything, today = Scope(), company.today

    alerts = selectors.contact_alerts(user=world.manager, scope=everything)
    mine = selectors.contact_alerts(user=world.executive, scope=everything)
    commitments = selectors.overdue_commitments(user=world.executive, scope=everything, today=today)
    rises = selectors.churn_rises(user=world.manager, scope=everything)

    assert [alert.account_id for alert in alerts] == [world.elsewhere.pk, world.in_portfolio.pk]
    assert [alert.account_id for alert in mine] == [world.in_portfolio.pk]
    assert list(commitments) == [company.overdue_mine]
    # most recent change first; on_team's risk fell
    assert [row.account_id for row in rises] == [world.elsewhere.pk, world.in_portfolio.pk]
    assert [row.account_id for row in selectors.churn_rises(user=world.executive, scope=everything)] == [
        world.in_portfolio.pk
    ]


def test_scope_for_refuses_what_the_user_may_not_choose(company):
    world = company.world
    theirs = world.elsewhere.portfolio
    mine = world.in_portfolio.portfolio

    assert scope_for(world.executive, f"portfolio-{mine.pk}").target == mine
    assert scope_for(world.manager, f"portfolio-{theirs.pk}").target == theirs
    for key in (f"portfolio-{theirs.pk}", "portfolio-999999", "tier-1", "portfolio-x", "territory"):
        with pytest.raises(ScopeNotAvailable):
            scope_for(world.executive, key)
    assert scope_for(world.executive, "") == Scope()


def test_a_territory_scope_still_shows_an_executive_only_their_accounts(company):
    world = company.world
    north = scope_for(world.executive, f"territory-{company.north.pk}")

    assert set(north.accounts(world.executive).values_list("pk", flat=True)) == {world.in_portfolio.pk}
    assert list(north.insights(world.executive).values_list("account_id", flat=True)) == [
        world.in_portfolio.pk
    ]


def test_choices_offer_an_executive_their_portfolios_only(company):
    world = company.world
    PortfolioFactory(name="Otra cartera")

    choices = selectors.scope_choices(world.executive)

    assert [portfolio.name for portfolio in choices.portfolios] == ["Cartera Ejecutiva"]
    assert [territory.name for territory in choices.territories] == ["Norte", "Sur"]
