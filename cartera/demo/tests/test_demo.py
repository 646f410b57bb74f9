"""The demo company: the same seed gives the same data, and the data shows everything the product
measures (every role, every loyalty tier, moves up and down the ladder, loss-making clients, every
commitment status), with valid RUTs and phones, coverage for every account, and an audit trail."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from io import StringIO

import phonenumbers
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F, Sum
from django.test import override_settings
from stdnum.cl import rut

from cartera.accounts.models import Account, AccountStatus, Contact
from cartera.commerce.models import Order, OrderLine, PurchaseType
from cartera.core.models import AuditRecord
from cartera.coverage.models import AccountTeamMember, TeamRole, TerritoryRegion
from cartera.demo.data import DEMO_PASSWORD
from cartera.demo.loader import SOURCE, demo_load
from cartera.demo.planner import DemoPlanner
from cartera.demo.plans import FIRST_DAY
from cartera.insights.models import AccountInsight, TierChange
from cartera.insights.selectors import disconnection_alerts
from cartera.insights.services import insights_recompute_all, tier_history_backfill
from cartera.pipeline.models import Opportunity, OpportunityContact
from cartera.pipeline.selectors import suggest_purchase_type
from cartera.relationship.models import Commitment, CommitmentStatus, Referral
from cartera.users.models import Role, User

AS_OF = dt.date(2026, 6, 30)
SCALE = 0.04  # 20 accounts: the smallest demo, still showing every pattern
TIERS = {"prospect", "buyer", "sporadic", "frequent", "loyal"}


def load(seed: int = 1) -> Counter[str]:
    return demo_load(scale=SCALE, seed=seed, as_of=AS_OF)


def fingerprint() -> list[tuple[object, ...]]:
    """Per account (by tax id): names, place, status, and its orders' count, lines and totals."""
    orders = dict(Order.objects.values_list("account__tax_id").annotate(Count("id")))
    money = {
        tax_id: (lines, revenue, cogs)
        for tax_id, lines, revenue, cogs in OrderLine.objects.values_list("order__account__tax_id").annotate(
            Count("id"), Sum("revenue_cents"), Sum("cogs_cents")
        )
    }
    contacts = defaultdict(list)
    for tax_id, email, phone in Contact.objects.values_list("account__tax_id", "email", "phone"):
        contacts[tax_id].append((email, phone))
    return sorted(
        (
            tax_id,
            legal_name,
            city,
            status,
            orders.get(tax_id, 0),
            money.get(tax_id),
            sorted(contacts[tax_id]),
        )
        for tax_id, legal_name, city, status in Account.objects.values_list(
            "tax_id", "legal_name", "city", "status"
        )
    )


def tier(order_dates: list[dt.date], referral_dates: list[dt.date], as_of: dt.date) -> str:
    """The loyalty tier by DESIGN.md's default rules, in plain Python."""
    dates = [day for day in order_dates if day <= as_of]
    if not dates:
        return "prospect"
    if len(dates) == 1:
        return "buyer"
    in_window = [day for day in dates if as_of - dt.timedelta(days=365) < day]
    if len(in_window) < 4:
        return "sporadic"
    long_standing = min(dates) <= as_of - dt.timedelta(days=730)
    recommended = any(as_of - dt.timedelta(days=730) < day <= as_of for day in referral_dates)
    return "loyal" if long_standing and recommended else "frequent"


def tiers_as_of(as_of: dt.date) -> dict[int, str]:
    orders: dict[int, list[dt.date]] = defaultdict(list)
    for account_id, day in Order.objects.values_list("account_id", "date"):
        orders[account_id].append(day)
    referrals: dict[int, list[dt.date]] = defaultdict(list)
    for account_id, day in Referral.objects.values_list("account_id", "date"):
        referrals[account_id].append(day)
    return {pk: tier(orders[pk], referrals[pk], as_of) for pk in Account.objects.values_list("pk", flat=True)}


@pytest.mark.django_db
def test_the_same_seed_and_date_give_the_same_data_through_the_service_and_the_command():
    point = transaction.savepoint()
    load(seed=1)
    first = fingerprint()
    transaction.savepoint_rollback(point)
    assert Account.objects.count() == 0
    out = StringIO()

    call_command("demo", scale=SCALE, seed=1, as_of=AS_OF.isoformat(), stdout=out, stderr=StringIO())

    assert len(first) == 20
    assert fingerprint() == first
    assert "admin" in out.getvalue() and "jvergara" in out.getvalue() and DEMO_PASSWORD in out.getvalue()


def test_another_seed_plans_another_company():
    def plan(seed: int) -> list[tuple[str, str, int, int]]:
        plans = DemoPlanner(seed=seed, as_of=AS_OF).plan_chunk(0, 20)
        return [(p.tax_id, p.legal_name, len(p.orders), sum(len(o.lines) for o in p.orders)) for p in plans]

    first, same, other = plan(1), plan(1), plan(2)

    assert same == first
    assert {row[0] for row in other}.isdisjoint({row[0] for row in first})
    assert [row[1:] for row in other] != [row[1:] for row in first]


def test_deal_names_carry_the_year_of_the_demo_date_not_a_fixed_one():
    as_of = dt.date(2031, 3, 15)
    plans = DemoPlanner(seed=1, as_of=as_of).plan_chunk(0, 120)
    open_years = {
        deal.name.rsplit(" ", 1)[1]
        for plan in plans
        for deal in plan.opportunities
        if deal.closed_day is None and deal.name.startswith("Convenio")
    }

    assert open_years == {"2031"}


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """One demo company, loaded once for the tests that only read it and rolled back after them."""
    # The function-scoped fixture that makes password hashing fast has not run yet at this scope.
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast_hashing:
        yield load()
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo", "db")
class TestTheLoadedDemo:
    def test_every_role_has_a_user_who_logs_in_with_the_demo_password(self):
        roles = Counter(User.objects.values_list("role", flat=True))
        administrator = User.objects.get(role=Role.ADMINISTRATOR)

        assert set(roles) == set(Role.values)
        assert roles[Role.ACCOUNT_EXECUTIVE] == 7
        assert roles[Role.SPECIALIST] == 4
        assert administrator.is_superuser and administrator.is_staff
        assert all(user.check_password(DEMO_PASSWORD) for user in User.objects.all())

    def test_every_rut_is_valid_and_in_the_company_range(self):
        tax_ids = list(Account.objects.values_list("tax_id", flat=True))

        assert len(tax_ids) == len(set(tax_ids)) == 20
        assert all(rut.is_valid(tax_id) for tax_id in tax_ids)
        assert all(76_000_000 <= int(tax_id[:-1]) < 78_000_000 for tax_id in tax_ids)

    def test_accounts_cover_every_region_and_fall_in_its_territory(self):
        territory_of_region = dict(TerritoryRegion.objects.values_list("region", "territory_id"))
        accounts = list(Account.objects.values_list("region", "territory_id"))

        assert {region for region, _territory in accounts} == set(territory_of_region)
        assert len(territory_of_region) == 16
        assert all(territory == territory_of_region[region] for region, territory in accounts)

    def test_every_account_has_a_responsible_salesperson_who_owns_its_portfolio(self):
        responsible = defaultdict(set)
        for account_id, user_id in AccountTeamMember.objects.filter(role=TeamRole.RESPONSIBLE).values_list(
            "account_id", "user_id"
        ):
            responsible[account_id].add(user_id)
        accounts = list(Account.objects.values_list("pk", "portfolio__owner_id"))

        assert all(len(responsible[pk]) == 1 for pk, _owner in accounts)
        assert all(owner in responsible[pk] for pk, owner in accounts if owner is not None)
        assert all(
            member.product_line_id is not None
            for member in AccountTeamMember.objects.filter(role=TeamRole.SPECIALIST)
        )

    def test_contacts_have_valid_chilean_phones_and_emails_at_their_company(self):
        contacts = list(Contact.objects.values_list("account_id", "email", "phone"))
        domains = defaultdict(set)
        for account_id, email, _phone in contacts:
            domains[account_id].add(email.split("@")[1])

        assert len(contacts) >= 40
        assert all(
            phonenumbers.is_valid_number(phonenumbers.parse(phone)) and phone.startswith("+56")
            for _account, _email, phone in contacts
            if phone
        )
        assert all(len(found) == 1 and next(iter(found)).endswith(".cl") for found in domains.values())

    def test_every_loyalty_tier_is_present_as_of_the_as_of_date_and_the_insights_agree(self):
        tiers = tiers_as_of(AS_OF)

        assert set(tiers.values()) == TIERS
        assert dict(AccountInsight.objects.values_list("account_id", "tier")) == tiers

    def test_accounts_moved_both_up_and_down_the_ladder_and_the_history_shows_it(self):
        before, now = tiers_as_of(AS_OF - dt.timedelta(days=365)), tiers_as_of(AS_OF)
        moves = {(before[pk], now[pk]) for pk in now}
        recorded = set(TierChange.objects.values_list("from_tier", "to_tier"))

        assert ("sporadic", "frequent") in moves or ("sporadic", "loyal") in moves
        assert ("frequent", "sporadic") in moves
        assert {("sporadic", "frequent"), ("frequent", "sporadic"), ("prospect", "buyer")} <= recorded

    def test_status_follows_the_orders(self):
        dates = defaultdict(list)
        for account_id, day in Order.objects.values_list("account_id", "date"):
            dates[account_id].append(day)

        for pk, status in Account.objects.values_list("pk", "status"):
            if not dates[pk]:
                assert status == AccountStatus.PROSPECT
            elif max(dates[pk]) <= AS_OF - dt.timedelta(days=548):
                assert status == AccountStatus.FORMER
            else:
                assert status == AccountStatus.CLIENT

    def test_the_first_order_of_an_account_is_a_new_buy_and_most_are_straight_rebuys(self):
        # Ordered latest first, so each account's entry ends up being its first order.
        first_orders = dict(
            Order.objects.order_by("account_id", "-date").values_list("account_id", "purchase_type")
        )
        types = Counter(Order.objects.values_list("purchase_type", flat=True))

        assert set(first_orders.values()) == {PurchaseType.NEW_BUY}
        assert types[PurchaseType.STRAIGHT_REBUY] > types[PurchaseType.MODIFIED_REBUY] > 0

    def test_some_clients_lose_money_and_profit_classes_are_assigned(self):
        classes = Counter(AccountInsight.objects.values_list("profit_class", flat=True))
        losing_clients = AccountInsight.objects.filter(profit_class="L", revenue_12m_cents__gt=0).count()

        assert classes["A"] >= 1
        assert losing_clients >= 1
        assert sum(classes.values()) == 20

    def test_commitments_exist_in_every_status_and_some_open_ones_are_overdue(self):
        statuses = set(Commitment.objects.values_list("status", flat=True))

        assert statuses == set(CommitmentStatus.values)
        assert Commitment.objects.filter(status=CommitmentStatus.OPEN, due_date__lt=AS_OF).exists()
        assert Commitment.objects.filter(status=CommitmentStatus.OPEN, due_date__gt=AS_OF).exists()
        assert (
            not Commitment.objects.exclude(status=CommitmentStatus.OPEN)
            .filter(resolved_on__isnull=True)
            .exists()
        )

    def test_a_third_of_the_accounts_have_open_deals_and_two_years_of_won_and_lost_ones(self):
        accounts = Account.objects.count()
        with_open = Opportunity.objects.open().values("account").distinct().count()
        assert 0.15 * accounts <= with_open <= 0.6 * accounts
        outcomes = Counter(Opportunity.objects.closed().values_list("stage", flat=True))
        assert outcomes["won"] > 0 and outcomes["lost"] > 0
        assert not Opportunity.objects.lost().filter(close_reason="").exists()
        assert not OpportunityContact.objects.exclude(contact__account=F("opportunity__account")).exists()

    def test_deals_are_owned_by_the_account_executive_with_the_purchase_type_history_suggests(self):
        responsible = dict(
            AccountTeamMember.objects.filter(role=TeamRole.RESPONSIBLE).values_list("account_id", "user_id")
        )
        deals = list(Opportunity.objects.open().select_related("account", "product_line"))
        assert deals and all(deal.owner_id == responsible[deal.account_id] for deal in deals)
        suggested = [
            suggest_purchase_type(
                account=deal.account,
                product_line=deal.product_line,
                discount_pct=deal.discount_pct,
                as_of=AS_OF,
            ).purchase_type
            for deal in deals
        ]
        assert suggested == [deal.purchase_type for deal in deals]
        assert len(set(suggested)) > 1

    def test_bulk_writes_leave_one_audit_record_per_model_and_chunk(self):
        bulk = Counter(
            AuditRecord.objects.filter(action=AuditRecord.Action.BULK_CREATE, object_repr=SOURCE).values_list(
                "object_type", flat=True
            )
        )
        created_users = AuditRecord.objects.filter(action=AuditRecord.Action.CREATE, object_type="users.user")

        assert bulk["accounts.account"] == 2  # corporate-group heads and independents, then subsidiaries
        assert bulk["accounts.contact"] == 1
        assert bulk["commerce.order"] == 1
        assert bulk["relationship.interaction"] == 1
        assert created_users.count() == 16
        assert not any("password" in record.changes for record in created_users)

    def test_the_command_refuses_to_load_again_and_with_if_empty_only_prints_the_logins(self):
        out = StringIO()

        call_command("demo", if_empty=True, stdout=out, stderr=StringIO())
        with pytest.raises(CommandError):
            call_command("demo", scale=SCALE, stdout=StringIO(), stderr=StringIO())

        assert Account.objects.count() == 20
        assert "admin" in out.getvalue() and "jvergara" in out.getvalue() and DEMO_PASSWORD in out.getvalue()


@pytest.mark.django_db
def test_the_earlier_snapshot_gives_previous_churn_risks_and_leaves_the_tier_history_as_it_was():
    load()
    history = sorted(TierChange.objects.values_list("account_id", "date", "from_tier", "to_tier"))
    insights = AccountInsight.objects.filter(churn_risk_previous__isnull=False)

    assert insights.exists()
    assert set(insights.values_list("churn_risk_changed_on", flat=True)) == {AS_OF}
    assert insights.filter(churn_risk__gt=F("churn_risk_previous")).exists()

    # The same insights computed as of the as-of date alone, from no snapshot: the same moves.
    AccountInsight.objects.all().delete()
    TierChange.objects.all().delete()
    insights_recompute_all(as_of=AS_OF, full=True)
    tier_history_backfill(start=AS_OF + dt.timedelta(days=FIRST_DAY), end=AS_OF)
    insights_recompute_all(as_of=AS_OF)

    assert history
    assert sorted(TierChange.objects.values_list("account_id", "date", "from_tier", "to_tier")) == history
    assert not AccountInsight.objects.filter(churn_risk_previous__isnull=False).exists()


@pytest.fixture(scope="class")
def demo_at_scale_one(django_db_setup, django_db_blocker):
    """The demo at scale 1 (500 accounts), as `cartera demo` loads it by default."""
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast_hashing:
        yield demo_load(scale=1, seed=1, as_of=AS_OF)
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo_at_scale_one", "db")
class TestContactAndChurnAtScaleOne:
    def test_most_accounts_are_in_touch_strategic_ones_more_and_every_executive_has_some_alerts(self):
        insights = AccountInsight.objects.all()
        share = insights.filter(is_disconnected=True).count() / insights.count()
        strategic = insights.filter(segment__name="Estratégicos")
        strategic_share = strategic.filter(is_disconnected=True).count() / strategic.count()
        executives = User.objects.filter(role=Role.ACCOUNT_EXECUTIVE)

        assert 0.08 <= share <= 0.25
        assert strategic.count() >= 40
        assert strategic_share < share
        assert len(executives) == 7
        for executive in executives:
            assert disconnection_alerts(user=executive, only_mine=True).exists(), executive.username

    def test_a_realistic_share_of_accounts_show_a_change_of_churn_risk_many_of_them_rises(self):
        insights = AccountInsight.objects.all()
        changed = insights.filter(churn_risk_previous__isnull=False)
        rose = changed.filter(churn_risk__gt=F("churn_risk_previous"))

        assert 0.15 <= changed.count() / insights.count() <= 0.7
        assert rose.count() >= 50
        assert changed.exclude(pk__in=rose.values("pk")).exists()  # some fell too
