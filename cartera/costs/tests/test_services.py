"""Cost to serve and marketing spend: recorded per account, audited, refused for accounts the actor may
not change."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cartera.core.errors import PermissionDeniedError
from cartera.core.models import AuditRecord
from cartera.costs.models import MarketingSpend, ServiceCost
from cartera.costs.services import marketing_spend_record, service_cost_record


def test_a_service_cost_is_recorded_and_audited(world):
    cost = service_cost_record(
        actor=world.executive,
        account=world.in_portfolio,
        date=dt.date(2026, 4, 30),
        kind="logistics",
        amount=Decimal("125000"),
        note="Despacho urgente a faena",
    )

    cost.refresh_from_db()
    assert (cost.account, cost.kind, cost.amount) == (world.in_portfolio, "logistics", Decimal("125000.00"))
    record = AuditRecord.objects.get()
    assert (record.actor, record.action, record.object_type, record.object_id) == (
        world.executive,
        "create",
        "costs.servicecost",
        str(cost.pk),
    )
    assert record.changes == {
        "id": cost.pk,
        "account_id": world.in_portfolio.pk,
        "date": "2026-04-30",
        "kind": "logistics",
        "amount": "125000.00",
        "note": "Despacho urgente a faena",
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"amount": Decimal("-1")}, "amount"), ({"kind": "bribes"}, "kind")],
)
def test_an_invalid_service_cost_is_refused_and_nothing_is_recorded(world, fields, field):
    data = {"kind": "support", "amount": Decimal("1000"), **fields}

    with pytest.raises(ValidationError) as caught:
        service_cost_record(
            actor=world.manager, account=world.in_portfolio, date=dt.date(2026, 4, 30), **data
        )

    assert set(caught.value.message_dict) == {field}
    assert (ServiceCost.objects.count(), AuditRecord.objects.count()) == (0, 0)


@pytest.mark.parametrize(("actor", "account"), [("executive", "elsewhere"), ("analyst", "in_portfolio")])
def test_a_service_cost_on_an_account_the_actor_cannot_edit_is_refused(world, actor, account):
    with pytest.raises(PermissionDeniedError):
        service_cost_record(
            actor=getattr(world, actor),
            account=getattr(world, account),
            date=dt.date(2026, 4, 30),
            kind="visits",
            amount=Decimal("1000"),
        )

    assert (ServiceCost.objects.count(), AuditRecord.objects.count()) == (0, 0)


def test_marketing_spend_is_recorded_and_audited(world):
    spend = marketing_spend_record(
        actor=world.manager,
        account=world.on_team,
        date=dt.date(2026, 5, 15),
        campaign="Expo Minería 2026",
        amount=Decimal("480000.5"),
    )

    spend.refresh_from_db()
    assert spend.amount == Decimal("480000.50")
    record = AuditRecord.objects.get()
    assert (record.actor, record.object_type, record.changes["campaign"], record.changes["amount"]) == (
        world.manager,
        "costs.marketingspend",
        "Expo Minería 2026",
        "480000.50",
    )


def test_negative_marketing_spend_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        marketing_spend_record(
            actor=world.manager,
            account=world.on_team,
            date=dt.date(2026, 5, 15),
            campaign="X",
            amount=Decimal("-3"),
        )

    assert set(caught.value.message_dict) == {"amount"}
    assert (MarketingSpend.objects.count(), AuditRecord.objects.count()) == (0, 0)


def test_a_specialist_may_not_record_spend_on_an_account_outside_their_teams(world):
    with pytest.raises(PermissionDeniedError):
        marketing_spend_record(
            actor=world.specialist,
            account=world.in_portfolio,
            date=dt.date(2026, 5, 15),
            campaign="Expo",
            amount=Decimal("1"),
        )

    assert (MarketingSpend.objects.count(), AuditRecord.objects.count()) == (0, 0)
