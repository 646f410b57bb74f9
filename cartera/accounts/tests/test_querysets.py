"""Visibility (one method, visible_to, for every account and everything that hangs off one) and
accent-insensitive search."""

from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import models

from cartera.accounts.models import Account, Contact
from cartera.accounts.querysets import AccountScopedQuerySet
from cartera.accounts.tests.factories import AccountFactory, ContactFactory
from cartera.commerce.models import Order, OrderLine
from cartera.commerce.tests.factories import OrderFactory, OrderLineFactory
from cartera.costs.models import MarketingSpend, ServiceCost
from cartera.costs.tests.factories import MarketingSpendFactory, ServiceCostFactory
from cartera.coverage.models import AccountTeamMember
from cartera.coverage.tests.factories import AccountTeamMemberFactory
from cartera.pipeline.models import Opportunity, OpportunityContact
from cartera.pipeline.tests.factories import OpportunityContactFactory, OpportunityFactory
from cartera.relationship.models import Commitment, Feedback, Interaction, Referral
from cartera.relationship.tests.factories import (
    CommitmentFactory,
    FeedbackFactory,
    InteractionFactory,
    ReferralFactory,
)
from cartera.users.models import Role

ALL = {"in_portfolio", "on_team", "elsewhere"}
EXPECTED_VISIBLE = {
    Role.ADMINISTRATOR: ALL,
    Role.SALES_MANAGER: ALL,
    Role.MARKETING_ANALYST: ALL,
    Role.SUPPORT_AGENT: ALL,
    Role.ACCOUNT_EXECUTIVE: {"in_portfolio", "on_team"},
    Role.SPECIALIST: {"on_team"},
}
EXPECTED_EDITABLE = {
    Role.ADMINISTRATOR: ALL,
    Role.SALES_MANAGER: ALL,
    Role.MARKETING_ANALYST: set(),
    Role.SUPPORT_AGENT: set(),
    Role.ACCOUNT_EXECUTIVE: {"in_portfolio", "on_team"},
    Role.SPECIALIST: {"on_team"},
}

# One way to make a row of every account-scoped model on a given account. A model whose default
# queryset is an AccountScopedQuerySet must be here, so that its visibility is proved for every role.
SCOPED_FACTORIES: dict[type[models.Model], Callable[[Account], Any]] = {
    Contact: lambda account: ContactFactory(account=account),
    AccountTeamMember: lambda account: AccountTeamMemberFactory(account=account, role="support"),
    Order: lambda account: OrderFactory(account=account),
    OrderLine: lambda account: OrderLineFactory(order=OrderFactory(account=account)),
    Interaction: lambda account: InteractionFactory(account=account),
    Commitment: lambda account: CommitmentFactory(account=account),
    Referral: lambda account: ReferralFactory(account=account),
    Feedback: lambda account: FeedbackFactory(account=account),
    ServiceCost: lambda account: ServiceCostFactory(account=account),
    MarketingSpend: lambda account: MarketingSpendFactory(account=account),
    Opportunity: lambda account: OpportunityFactory(account=account),
    OpportunityContact: lambda account: OpportunityContactFactory(
        opportunity=OpportunityFactory(account=account)
    ),
}

# Models with a foreign key to an account that are deliberately not account-scoped querysets, and why.
NOT_SCOPED = {
    "accounts.account": "the parent (corporate group) link; accounts have their own visible_to",
    # Derived facts, read only through cartera.insights.selectors, which start from visible accounts.
    "insights.accountday": "insights selectors",
    "insights.accountinsight": "insights selectors",
    "insights.tierchange": "insights selectors",
    # A temporary table of a full recomputation, never read by a view.
    "insights.stagedinsight": "insights services only",
}


def account_scoped_models() -> list[type[models.Model]]:
    return sorted(
        (m for m in apps.get_models() if isinstance(m._default_manager.all(), AccountScopedQuerySet)),
        key=lambda m: m._meta.label_lower,
    )


def label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def test_every_account_scoped_model_has_a_factory_in_the_visibility_table():
    assert {label(m) for m in account_scoped_models()} == {label(m) for m in SCOPED_FACTORIES}


def test_every_model_with_a_foreign_key_to_an_account_is_account_scoped_or_says_why_not():
    hanging = {
        label(m)
        for m in apps.get_models()
        if any(f.is_relation and f.related_model is Account for f in m._meta.concrete_fields)
    }

    assert sorted(hanging - set(NOT_SCOPED) - {label(m) for m in account_scoped_models()}) == []


def make_rows_on_every_account(world, model) -> str:
    """One more row of `model` on each world account; returns the path from the model to its account."""
    for name in sorted(ALL):
        SCOPED_FACTORIES[model](getattr(world, name))
    return model._default_manager.all().account_field


def rows_of_accounts(world, model, account_field, names) -> set[int]:
    accounts = [getattr(world, name).pk for name in names]
    return set(
        model._default_manager.filter(**{f"{account_field}__in": accounts}).values_list("pk", flat=True)
    )


def account_names(world, pks) -> set[str]:
    return {name for name in ALL if getattr(world, name).pk in set(pks)}


@pytest.mark.parametrize("model", account_scoped_models(), ids=label)
def test_rows_visible_to_each_role_are_exactly_those_of_its_accounts(world, model):
    account_field = make_rows_on_every_account(world, model)

    visible = {role: model._default_manager.visible_to(world.user(role)) for role in EXPECTED_VISIBLE}

    assert {role: set(rows.values_list("pk", flat=True)) for role, rows in visible.items()} == {
        role: rows_of_accounts(world, model, account_field, names) for role, names in EXPECTED_VISIBLE.items()
    }
    assert {
        role: account_names(world, rows.values_list(account_field, flat=True))
        for role, rows in visible.items()
    } == EXPECTED_VISIBLE


@pytest.mark.parametrize("model", account_scoped_models(), ids=label)
def test_rows_editable_by_each_role_are_exactly_those_of_its_editable_accounts(world, model):
    account_field = make_rows_on_every_account(world, model)

    editable = {role: model._default_manager.editable_by(world.user(role)) for role in EXPECTED_EDITABLE}

    assert {role: set(rows.values_list("pk", flat=True)) for role, rows in editable.items()} == {
        role: rows_of_accounts(world, model, account_field, names)
        for role, names in EXPECTED_EDITABLE.items()
    }


@pytest.mark.parametrize("model", account_scoped_models(), ids=label)
def test_anonymous_and_inactive_users_see_no_rows(world, model):
    make_rows_on_every_account(world, model)
    world.executive.is_active = False
    world.manager.is_active = False

    assert model._default_manager.count() >= 3
    assert model._default_manager.visible_to(AnonymousUser()).count() == 0
    assert model._default_manager.visible_to(None).count() == 0
    assert model._default_manager.visible_to(world.executive).count() == 0
    assert model._default_manager.visible_to(world.manager).count() == 0


@pytest.mark.parametrize("role", list(EXPECTED_VISIBLE))
def test_accounts_visible_to_each_role_are_exactly_its_share(world, role):
    user = world.user(role)

    visible = set(Account.objects.visible_to(user).values_list("pk", flat=True))

    assert visible == {getattr(world, name).pk for name in EXPECTED_VISIBLE[role]}


@pytest.mark.parametrize("role", list(EXPECTED_EDITABLE))
def test_accounts_editable_by_each_role_are_exactly_its_share(world, role):
    editable = set(Account.objects.editable_by(world.user(role)).values_list("pk", flat=True))

    assert editable == {getattr(world, name).pk for name in EXPECTED_EDITABLE[role]}


def test_a_superuser_without_a_staff_role_sees_every_account(world, make_user):
    root = make_user(role=Role.SPECIALIST, username="root", is_superuser=True)

    assert Account.objects.visible_to(root).count() == 3
    assert Account.objects.editable_by(root).count() == 3


def test_support_agents_and_analysts_may_edit_nothing(world):
    assert Account.objects.editable_by(world.support).count() == 0
    assert Account.objects.editable_by(world.analyst).count() == 0
    assert Account.objects.editable_by(world.executive).count() == 2


# --- search --------------------------------------------------------------------------------------


def test_search_ignores_accents_and_case(world):
    assert list(Account.objects.search("munoz")) == [world.in_portfolio]
    assert list(Account.objects.search("MUÑOZ")) == [world.in_portfolio]
    assert list(Account.objects.search("ÁLAMOS")) == [world.on_team]
    assert list(Account.objects.search("alamos")) == [world.on_team]
    assert list(Account.objects.search("  los   alamos ")) == [world.on_team]


def test_search_finds_the_trade_name(world):
    account = AccountFactory(legal_name="Sociedad Comercial Ñandú Limitada", trade_name="Supermercados Ñandú")

    assert list(Account.objects.search("supermercados nandu")) == [account]


def test_search_finds_a_tax_id_typed_with_dots_and_dash(world):
    typed = world.on_team.tax_id_display  # 76.000.00x-y

    assert "." in typed
    assert list(Account.objects.search(typed)) == [world.on_team]
    assert list(Account.objects.search(world.on_team.tax_id)) == [world.on_team]


def test_search_finds_a_tax_id_ending_in_k_typed_in_lower_case(world):
    account = AccountFactory(legal_name="Agrícola Sur Limitada", tax_id="96790240K")

    assert list(Account.objects.search("96.790.240-k")) == [account]


def test_search_with_nothing_typed_keeps_every_account(world):
    assert Account.objects.search("  ").count() == 3


def test_search_stays_within_what_the_user_may_see(world):
    assert list(Account.objects.visible_to(world.executive).search("tamarugal")) == []
    assert list(Account.objects.visible_to(world.manager).search("tamarugal")) == [world.elsewhere]


def test_contact_search_ignores_accents_and_case(world):
    contact = ContactFactory(account=world.in_portfolio, first_name="José", last_name="Núñez")

    assert list(Contact.objects.search("jose nunez")) == [contact]
    assert list(Contact.objects.search("NÚÑEZ")) == [contact]
