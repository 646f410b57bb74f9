"""The shared write functions: every write validated, audited in its own transaction, and updates
refused when someone else saved first."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from cartera.accounts.models import Account
from cartera.accounts.tests.factories import AccountFactory
from cartera.commerce.models import Product
from cartera.commerce.tests.factories import ProductFactory, ProductLineFactory
from cartera.core.errors import ConflictError
from cartera.core.models import AuditRecord
from cartera.core.services import model_create, model_delete, model_update, models_bulk_create
from cartera.costs.models import ServiceCost
from cartera.costs.tests.factories import ServiceCostFactory
from cartera.users.tests.factories import UserFactory


@pytest.fixture
def actor(db):
    return UserFactory(username="editora")


def test_create_saves_and_audits_a_snapshot_with_decimals_at_their_scale(actor):
    line = ProductLineFactory(code="FER", name="Ferretería")
    product = Product(
        sku="TAL-10",
        name="Taladro",
        product_line=line,
        list_price=Decimal("1250"),
        unit_cost=Decimal("700.5"),
    )

    model_create(actor=actor, instance=product)

    record = AuditRecord.objects.get()
    assert (record.actor, record.action, record.object_type) == (actor, "create", "commerce.product")
    assert (record.object_id, record.object_repr) == (str(product.pk), "TAL-10 Taladro")
    assert record.changes == {
        "id": product.pk,
        "sku": "TAL-10",
        "name": "Taladro",
        "product_line_id": line.pk,
        "list_price": "1250.00",
        "unit_cost": "700.50",
        "is_active": True,
    }


def test_create_adds_related_data_to_the_audit_record(actor):
    line = ProductLineFactory.build(code="X1", name="Línea X")

    model_create(actor=actor, instance=line, related={"lines": [{"sku": "A"}]})

    assert AuditRecord.objects.get().changes == {
        "id": line.pk,
        "code": "X1",
        "name": "Línea X",
        "description": "",
        "lines": [{"sku": "A"}],
    }


def test_create_refuses_an_invalid_instance_and_writes_nothing(actor):
    product = Product(
        sku="NEG", name="Negativo", product_line=ProductLineFactory(), list_price=Decimal("-1"), unit_cost=0
    )

    with pytest.raises(ValidationError) as caught:
        model_create(actor=actor, instance=product)

    assert set(caught.value.message_dict) == {"list_price"}
    assert Product.objects.count() == 0
    assert AuditRecord.objects.count() == 0


def test_update_increments_the_version_by_one_and_audits_only_what_changed(actor):
    product = ProductFactory(name="Taladro", list_price=Decimal("1000.00"))

    model_update(
        actor=actor,
        instance=product,
        data={"name": "Taladro percutor", "list_price": Decimal("1250")},
        expected_version=1,
    )

    product.refresh_from_db()
    assert product.version == 2
    assert product.list_price == Decimal("1250.00")
    record = AuditRecord.objects.get()
    assert (record.actor, record.action, record.object_id) == (actor, "update", str(product.pk))
    assert record.changes == {"name": ["Taladro", "Taladro percutor"], "list_price": ["1000.00", "1250.00"]}


def test_update_of_a_decimal_written_without_its_scale_is_not_a_change(actor):
    product = ProductFactory(name="Taladro", list_price=Decimal("1000.00"))

    model_update(
        actor=actor,
        instance=product,
        data={"name": "Otro nombre", "list_price": Decimal("1000")},
        expected_version=1,
    )

    assert AuditRecord.objects.get().changes == {"name": ["Taladro", "Otro nombre"]}


def test_update_audits_against_the_stored_row_when_the_instance_already_carries_the_new_values(actor):
    # The admin and ModelForms apply the submitted values to the instance before saving it.
    product = ProductFactory(name="Taladro")
    product.name = "Taladro percutor"

    model_update(actor=actor, instance=product, data={"name": product.name}, expected_version=1)

    assert AuditRecord.objects.get().changes == {"name": ["Taladro", "Taladro percutor"]}


def test_update_with_nothing_changed_writes_no_audit_record(actor):
    product = ProductFactory(name="Taladro")

    model_update(actor=actor, instance=product, data={"name": "Taladro"}, expected_version=1)

    assert AuditRecord.objects.count() == 0


def test_update_writes_the_fields_that_validation_derives(actor):
    account = AccountFactory(legal_name="Comercial Andes SpA", tax_id="760864285")

    model_update(
        actor=actor,
        instance=account,
        data={"legal_name": "Ferretería Muñoz Ltda.", "tax_id": "12.531.909-2"},
        expected_version=1,
    )

    stored = Account.objects.get(pk=account.pk)
    assert (stored.tax_id, stored.name_key) == ("125319092", "ferreteria munoz")
    assert stored.search_key == "ferreteria munoz ltda. | 125319092"
    assert AuditRecord.objects.get().changes == {
        "legal_name": ["Comercial Andes SpA", "Ferretería Muñoz Ltda."],
        "tax_id": ["760864285", "125319092"],
    }


def test_a_stale_update_is_refused_keeps_the_stored_row_and_gives_the_instance_its_values_back(actor):
    product = ProductFactory(name="Taladro")
    first, second = Product.objects.get(pk=product.pk), Product.objects.get(pk=product.pk)
    model_update(actor=actor, instance=first, data={"name": "Primero"}, expected_version=1)

    with pytest.raises(ConflictError) as caught:
        model_update(actor=actor, instance=second, data={"name": "Segundo"}, expected_version=1)

    assert caught.value.current_version == 2
    assert caught.value.code == "conflict"
    assert second.name == "Taladro"
    product.refresh_from_db()
    assert (product.name, product.version) == ("Primero", 2)
    assert AuditRecord.objects.count() == 1


def test_the_conflict_message_tells_the_editor_what_happened():
    with translation.override("en"):
        assert ConflictError(current_version=3).messages == [
            "Someone else saved this record while you were editing it. Reload the page to see their "
            "changes; yours were not saved."
        ]


def test_an_update_presenting_a_version_from_the_future_is_refused(actor):
    product = ProductFactory()

    with pytest.raises(ConflictError):
        model_update(actor=actor, instance=product, data={"name": "X"}, expected_version=7)

    product.refresh_from_db()
    assert product.version == 1


def test_an_update_of_a_deleted_row_is_a_conflict(actor):
    product = ProductFactory()
    Product.objects.filter(pk=product.pk).delete()

    with pytest.raises(ConflictError) as caught:
        model_update(actor=actor, instance=product, data={"name": "X"}, expected_version=1)

    assert caught.value.current_version is None


def test_an_invalid_update_writes_nothing_and_gives_the_instance_its_values_back(actor):
    product = ProductFactory(list_price=Decimal("1000.00"))

    with pytest.raises(ValidationError) as caught:
        model_update(actor=actor, instance=product, data={"list_price": Decimal("-5")}, expected_version=1)

    assert set(caught.value.message_dict) == {"list_price"}
    assert product.list_price == Decimal("1000.00")
    product.refresh_from_db()
    assert (product.list_price, product.version) == (Decimal("1000.00"), 1)
    assert AuditRecord.objects.count() == 0


def test_a_model_without_a_version_is_updated_without_the_check(actor):
    cost = ServiceCostFactory(amount=Decimal("50000.00"), note="")

    model_update(actor=actor, instance=cost, data={"amount": Decimal("62500")}, expected_version=None)

    cost.refresh_from_db()
    assert cost.amount == Decimal("62500.00")
    assert AuditRecord.objects.get().changes == {"amount": ["50000.00", "62500.00"]}


def test_delete_audits_the_last_snapshot_and_removes_the_row(actor):
    cost = ServiceCostFactory(amount=Decimal("50000.00"), kind="visits", note="Visita a faena")
    pk, account_id = cost.pk, cost.account_id

    model_delete(actor=actor, instance=cost)

    assert not ServiceCost.objects.filter(pk=pk).exists()
    record = AuditRecord.objects.get()
    assert (record.action, record.object_type, record.object_id) == ("delete", "costs.servicecost", str(pk))
    assert record.changes == {
        "id": pk,
        "account_id": account_id,
        "date": "2026-06-01",
        "kind": "visits",
        "amount": "50000.00",
        "note": "Visita a faena",
    }


def test_bulk_create_inserts_all_with_one_audit_record(actor):
    line = ProductLineFactory()
    products = [
        Product(sku=f"B-{n}", name=f"Producto {n}", product_line=line, list_price=10, unit_cost=5)
        for n in range(3)
    ]

    created = models_bulk_create(actor=actor, instances=products, source="catalog.csv", changes={"file": 1})

    assert [p.pk is not None for p in created] == [True, True, True]
    assert Product.objects.count() == 3
    record = AuditRecord.objects.get()
    assert (record.action, record.object_type, record.object_repr) == (
        "bulk_create",
        "commerce.product",
        "catalog.csv",
    )
    assert record.changes == {"created": 3, "file": 1}


def test_bulk_create_of_nothing_writes_nothing(actor):
    assert models_bulk_create(actor=actor, instances=[], source="empty.csv") == []
    assert AuditRecord.objects.count() == 0


def test_the_write_functions_join_the_callers_transaction(actor):
    line = ProductLineFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        model_create(
            actor=actor,
            instance=Product(sku="T", name="T", product_line=line, list_price=1, unit_cost=1),
        )
        raise RuntimeError("the caller fails after the write")

    assert Product.objects.count() == 0
    assert AuditRecord.objects.count() == 0


def test_audit_records_never_hold_a_password(db):
    user = UserFactory(username="clave", first_name="Ana María")
    model_update(actor=None, instance=user, data={"first_name": "Ana"}, expected_version=None)
    user.set_password("otra-clave-segura")

    model_update(actor=None, instance=user, data={"password": user.password}, expected_version=None)

    assert [record.changes for record in AuditRecord.objects.order_by("id")] == [
        {"first_name": ["Ana María", "Ana"]}
    ]
