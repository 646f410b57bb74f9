"""Opportunity writes: who may write, the version check on moves, closing rules, and the buying center."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cartera.accounts.tests.factories import ContactFactory
from cartera.commerce.models import PurchaseType
from cartera.commerce.tests.factories import (
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ProductLineFactory,
)
from cartera.core.errors import ConflictError, PermissionDeniedError
from cartera.core.models import AuditRecord
from cartera.pipeline.models import Opportunity, OpportunityContact, Stage
from cartera.pipeline.services import (
    opportunities_bulk_create,
    opportunity_close,
    opportunity_contact_remove,
    opportunity_contact_set,
    opportunity_create,
    opportunity_move,
    opportunity_update,
)
from cartera.pipeline.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def test_create_takes_the_stage_probability_the_account_currency_the_actor_as_owner_and_audits(world):
    opportunity = opportunity_create(
        actor=world.executive,
        account=world.in_portfolio,
        name="Ampliación bodega",
        amount_cents=12_000_000_00,
        expected_close_date=dt.date(2026, 9, 30),
        stage=Stage.DISCOVERY,
    )
    assert (opportunity.probability, opportunity.currency, opportunity.owner) == (25, "CLP", world.executive)
    assert opportunity.purchase_type == PurchaseType.NEW_BUY  # the account never bought anything
    assert (
        AuditRecord.objects.filter(object_type="pipeline.opportunity", object_id=str(opportunity.pk)).count()
        == 1
    )


def test_create_suggests_a_straight_rebuy_when_the_line_was_bought_recently_at_the_same_terms(world):
    line = ProductLineFactory(code="SEG")
    order = OrderFactory(account=world.in_portfolio, date=dt.date.today() - dt.timedelta(days=30))
    OrderLineFactory(order=order, product=ProductFactory(product_line=line), discount_pct=Decimal("5"))
    opportunity = opportunity_create(
        actor=world.executive,
        account=world.in_portfolio,
        name="Reposición EPP",
        product_line=line,
        discount_pct=Decimal("5"),
        expected_close_date=dt.date.today() + dt.timedelta(days=30),
    )
    assert opportunity.purchase_type == PurchaseType.STRAIGHT_REBUY


def test_without_expected_terms_a_deal_takes_the_discount_of_the_last_purchase_of_the_line(world):
    line = ProductLineFactory(code="LIM")
    order = OrderFactory(account=world.in_portfolio, date=dt.date.today() - dt.timedelta(days=400))
    OrderLineFactory(order=order, product=ProductFactory(product_line=line), discount_pct=Decimal("12.5"))
    opportunity = opportunity_create(
        actor=world.executive,
        account=world.in_portfolio,
        name="Reposición limpieza",
        product_line=line,
        expected_close_date=dt.date.today() + dt.timedelta(days=30),
    )
    assert (opportunity.discount_pct, opportunity.purchase_type) == (
        Decimal("12.50"),
        PurchaseType.MODIFIED_REBUY,
    )


def test_an_executive_cannot_open_an_opportunity_on_an_account_of_another_portfolio(world):
    with pytest.raises(PermissionDeniedError):
        opportunity_create(
            actor=world.executive, account=world.elsewhere, name="X", expected_close_date=dt.date(2026, 9, 30)
        )
    assert Opportunity.objects.count() == 0


@pytest.mark.parametrize("role", ["support", "analyst"])
def test_read_only_roles_cannot_move_an_opportunity(world, role):
    opportunity = OpportunityFactory(account=world.in_portfolio)
    with pytest.raises(PermissionDeniedError):
        opportunity_move(
            actor=getattr(world, role), opportunity=opportunity, stage=Stage.PROPOSAL, expected_version=1
        )
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.version) == (Stage.QUALIFICATION, 1)


def test_a_move_sets_the_stage_and_its_probability_and_bumps_the_version(world):
    opportunity = OpportunityFactory(account=world.in_portfolio, probability=15)
    opportunity_move(actor=world.executive, opportunity=opportunity, stage=Stage.PROPOSAL, expected_version=1)
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.probability, opportunity.version) == (Stage.PROPOSAL, 50, 2)


def test_a_stale_move_is_refused_and_changes_nothing(world):
    opportunity = OpportunityFactory(account=world.in_portfolio)
    stale = Opportunity.objects.get(pk=opportunity.pk)
    opportunity_move(actor=world.manager, opportunity=opportunity, stage=Stage.DISCOVERY, expected_version=1)
    with pytest.raises(ConflictError) as raised:
        opportunity_move(
            actor=world.executive, opportunity=stale, stage=Stage.NEGOTIATION, expected_version=1
        )
    assert raised.value.current_version == 2
    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert (stored.stage, stored.version) == (Stage.DISCOVERY, 2)
    assert stale.stage == Stage.QUALIFICATION  # the caller's instance got its values back


def test_a_move_to_a_closed_stage_is_refused(world):
    opportunity = OpportunityFactory(account=world.in_portfolio)
    with pytest.raises(ValidationError) as raised:
        opportunity_move(actor=world.executive, opportunity=opportunity, stage=Stage.WON, expected_version=1)
    assert "stage" in raised.value.message_dict
    assert Opportunity.objects.get(pk=opportunity.pk).stage == Stage.QUALIFICATION


def test_closing_as_lost_without_a_reason_is_refused(world):
    opportunity = OpportunityFactory(account=world.in_portfolio)
    with pytest.raises(ValidationError) as raised:
        opportunity_close(actor=world.executive, opportunity=opportunity, won=False, expected_version=1)
    assert list(raised.value.message_dict) == ["close_reason"]
    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert (stored.stage, stored.closed_on, stored.version) == (Stage.QUALIFICATION, None, 1)


def test_closing_as_lost_with_a_reason_records_it_and_the_date(world):
    opportunity = OpportunityFactory(account=world.in_portfolio)
    opportunity_close(
        actor=world.executive,
        opportunity=opportunity,
        won=False,
        reason="competitor",
        note="Eligieron a la competencia por plazo de entrega",
        closed_on=dt.date(2026, 3, 2),
        expected_version=1,
    )
    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert (stored.stage, stored.probability, stored.close_reason, stored.closed_on) == (
        Stage.LOST,
        0,
        "competitor",
        dt.date(2026, 3, 2),
    )


def test_winning_needs_no_reason_and_reopening_clears_the_outcome(world):
    opportunity = OpportunityFactory(account=world.in_portfolio)
    opportunity_close(actor=world.executive, opportunity=opportunity, won=True, expected_version=1)
    assert (opportunity.stage, opportunity.probability, opportunity.closed_on) == (
        Stage.WON,
        100,
        dt.date.today(),
    )
    opportunity_move(
        actor=world.executive, opportunity=opportunity, stage=Stage.NEGOTIATION, expected_version=2
    )
    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert (stored.stage, stored.closed_on, stored.close_reason) == (Stage.NEGOTIATION, None, "")


def test_update_refuses_the_stage_and_a_stale_version(world):
    opportunity = OpportunityFactory(account=world.in_portfolio)
    with pytest.raises(ValueError):
        opportunity_update(actor=world.executive, opportunity=opportunity, expected_version=1, stage="won")
    opportunity_update(actor=world.executive, opportunity=opportunity, expected_version=1, amount_cents=99_00)
    with pytest.raises(ConflictError):
        opportunity_update(actor=world.executive, opportunity=opportunity, expected_version=1, name="Otro")
    assert Opportunity.objects.get(pk=opportunity.pk).amount_cents == 99_00


def test_the_buying_center_takes_contacts_of_the_account_with_a_role_each(world):
    opportunity = OpportunityFactory(account=world.in_portfolio)
    contact = world.in_portfolio.contacts.get()
    opportunity_contact_set(
        actor=world.executive, opportunity=opportunity, contact=contact, role="influencer"
    )
    opportunity_contact_set(
        actor=world.executive, opportunity=opportunity, contact=contact, role="economic_buyer"
    )
    assert list(OpportunityContact.objects.values_list("contact_id", "role")) == [
        (contact.pk, "economic_buyer")
    ]
    opportunity_contact_remove(actor=world.executive, opportunity=opportunity, contact=contact)
    assert OpportunityContact.objects.count() == 0


def test_a_contact_of_another_account_cannot_join_the_deal(world):
    opportunity = OpportunityFactory(account=world.in_portfolio)
    stranger = ContactFactory(account=world.on_team)
    with pytest.raises(ValidationError):
        opportunity_contact_set(actor=world.manager, opportunity=opportunity, contact=stranger, role="user")
    assert OpportunityContact.objects.count() == 0


def test_bulk_create_writes_the_opportunities_and_their_contacts_with_one_audit_record(world):
    contact = world.in_portfolio.contacts.get()
    built = Opportunity(
        account=world.in_portfolio, name="Demo", expected_close_date=dt.date(2026, 5, 1), amount_cents=100
    )
    created = opportunities_bulk_create(
        actor=None, entries=[(built, [(contact, "decision_maker")])], source="demo"
    )
    assert [o.pk for o in created] == list(Opportunity.objects.values_list("pk", flat=True))
    assert list(OpportunityContact.objects.values_list("contact_id", "role")) == [
        (contact.pk, "decision_maker")
    ]
    assert AuditRecord.objects.filter(action="bulk_create", object_type="pipeline.opportunity").count() == 1
