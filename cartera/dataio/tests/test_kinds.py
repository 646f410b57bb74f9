"""Importing the other kinds: accounts, contacts, products, costs, spend, interactions and referrals."""

from __future__ import annotations

import io
from decimal import Decimal

from cartera.accounts.models import Account, Contact
from cartera.commerce.models import Product
from cartera.costs.models import MarketingSpend, ServiceCost
from cartera.dataio.services import ImportFile, import_files
from cartera.dataio.tests.factories import write_csv
from cartera.relationship.models import Interaction, Referral
from cartera.users.tests.factories import UserFactory


def _import(kind, path, **options):
    report = io.StringIO()
    result = import_files(actor=None, files=[ImportFile(kind, str(path))], report=report, **options)
    return result, report.getvalue().splitlines()[1:]


def test_accounts_in_spanish_columns_are_created_with_their_tax_ids_in_compact_form(db, tmp_path):
    # Given accounts written with Spanish headers, dotted RUTs, a BOM and semicolons
    path = write_csv(
        tmp_path / "cuentas.csv",
        ["RUT", "Razón Social", "País", "Región", "Ciudad", "Industria", "Estado", "Ajuste estratégico"],
        [
            ["76.086.428-5", "Ferretería Muñoz Ltda.", "CL", "CL-RM", "Santiago", "retail", "client", "4"],
            ["96790240-3", "Constructora Andes S.A.", "CL", "", "", "Construction", "", ""],
        ],
        delimiter=";",
        bom=True,
    )

    # When they are imported
    result, report = _import("accounts", path)

    # Then both exist with canonical values
    assert report == []
    assert sorted(
        Account.objects.values_list("tax_id", "legal_name", "region", "industry", "status", "strategic_fit")
    ) == [
        ("760864285", "Ferretería Muñoz Ltda.", "CL-RM", "retail", "client", 4),
        ("967902403", "Constructora Andes S.A.", "", "construction", "prospect", None),
    ]
    assert result.files[0].created == 2


def test_an_account_imported_again_is_updated_not_duplicated(db, tmp_path):
    first = write_csv(
        tmp_path / "a.csv", ["tax_id", "name", "country"], [["76.086.428-5", "Ferretería Muñoz", "CL"]]
    )
    _import("accounts", first)
    second = write_csv(
        tmp_path / "b.csv",
        ["tax_id", "name", "country", "city"],
        [["760864285", "Ferretería Muñoz", "CL", "Talca"]],
    )

    result, report = _import("accounts", second)

    assert report == []
    assert list(Account.objects.values_list("legal_name", "city", "version")) == [
        ("Ferretería Muñoz", "Talca", 2)
    ]
    assert (result.files[0].created, result.files[0].updated) == (0, 1)


def test_an_invalid_tax_id_names_the_check_that_failed(db, tmp_path):
    path = write_csv(
        tmp_path / "cuentas.csv",
        ["tax_id", "name", "country"],
        [
            ["76.086.428-4", "Dígito Malo", "CL"],
            ["76.086", "Muy Corto", "CL"],
            ["20-12345678-0", "Argentina", "AR"],
        ],
    )

    result, report = _import("accounts", path)

    assert report == [
        "cuentas.csv,2,tax_id,76.086.428-4,76.086.428-4 is not a valid RUT (CL): the check digit is wrong.",
        "cuentas.csv,3,tax_id,76.086,76.086 is not a valid RUT (CL): it has the wrong number of characters.",
        "cuentas.csv,4,tax_id,20-12345678-0,20-12345678-0 is not a valid CUIT (AR): the check digit is wrong.",
    ]
    assert (result.committed, Account.objects.count()) == (False, 0)


def test_duplicate_rows_within_a_file_are_refused(db, tmp_path):
    path = write_csv(
        tmp_path / "cuentas.csv",
        ["tax_id", "name", "country"],
        [["76.086.428-5", "Uno", "CL"], ["76086428-5", "Otro Nombre", "CL"]],
    )

    _result, report = _import("accounts", path)

    assert report == ["cuentas.csv,3,tax_id,760864285,Duplicate row: same as row 2."]
    assert Account.objects.count() == 0


def test_contacts_are_matched_by_account_and_email_and_their_phones_stored_in_e164(catalog, tmp_path):
    account = catalog.accounts[0]
    path = write_csv(
        tmp_path / "contactos.csv",
        ["rut_cliente", "nombre", "apellido", "correo", "telefono", "rol_compra"],
        [[catalog.tax_ids[0], "Ana", "Pérez", "ANA@cliente.cl", "9 8765 4321", "Decision maker"]],
    )

    _import("contacts", path)
    result, report = _import("contacts", path)

    assert report == []
    assert list(
        Contact.objects.filter(account=account).values_list("first_name", "email", "phone", "buying_role")
    ) == [("Ana", "ana@cliente.cl", "+56987654321", "decision_maker")]
    assert (result.files[0].created, result.files[0].unchanged) == (0, 1)


def test_a_contact_with_a_bad_email_and_phone_is_refused_on_both_columns(catalog, tmp_path):
    path = write_csv(
        tmp_path / "contactos.csv",
        ["account_tax_id", "first_name", "last_name", "email", "phone"],
        [[catalog.tax_ids[0], "Ana", "Pérez", "ana@", "12"]],
    )

    _result, report = _import("contacts", path)

    assert report == ["contactos.csv,2,email,ana@,Not an email address."]


def test_products_create_their_line_and_update_prices_on_a_second_import(db, tmp_path):
    path = write_csv(
        tmp_path / "productos.csv",
        ["codigo", "nombre", "linea", "precio_lista", "costo_unitario"],
        [["T-1", "Taladro", "Herramientas", "1.234,50", "800"]],
        delimiter=";",
    )
    _import("products", path)
    changed = write_csv(
        tmp_path / "productos2.csv",
        ["sku", "name", "product_line", "list_price", "unit_cost"],
        [["T-1", "Taladro", "Herramientas", "1300", "800"]],
    )

    result, report = _import("products", changed)

    assert report == []
    assert list(Product.objects.values_list("sku", "product_line__name", "list_price", "version")) == [
        ("T-1", "Herramientas", Decimal("1300.00"), 2)
    ]
    assert result.files[0].updated == 1


def test_costs_spend_and_referrals_are_added_to_their_accounts(catalog, tmp_path):
    tax_id, account = catalog.tax_ids[0], catalog.accounts[0]
    costs = write_csv(
        tmp_path / "c.csv",
        ["rut_cliente", "fecha", "tipo", "monto", "nota"],
        [[tax_id, "31/12/2025", "visits", "150000", "Visita"]],
    )
    spend = write_csv(
        tmp_path / "m.csv",
        ["account_tax_id", "date", "campaign", "amount"],
        [[tax_id, "2025-11-01", "Feria", "99.90"]],
    )
    referrals = write_csv(
        tmp_path / "r.csv",
        ["account_tax_id", "date", "referred_company", "kind"],
        [[tax_id, "2025-10-10", "Vecino SpA", "testimonial"]],
    )

    result = import_files(
        actor=None,
        files=[
            ImportFile("service-costs", str(costs)),
            ImportFile("marketing-spend", str(spend)),
            ImportFile("referrals", str(referrals)),
        ],
    )

    assert (result.problem_count, result.committed) == (0, True)
    assert list(ServiceCost.objects.values_list("account", "date", "kind", "amount", "note")) == [
        (account.pk, __import__("datetime").date(2025, 12, 31), "visits", Decimal("150000.00"), "Visita")
    ]
    assert list(MarketingSpend.objects.values_list("campaign", "amount")) == [("Feria", Decimal("99.90"))]
    assert list(Referral.objects.values_list("referred_company", "kind")) == [("Vecino SpA", "testimonial")]


def test_interactions_name_their_user_and_contact(catalog, tmp_path):
    user = UserFactory(email="vendedora@empresa.cl")
    contact = Contact.objects.create(
        account=catalog.accounts[0], first_name="Ana", last_name="Pérez", email="ana@cliente.cl"
    )
    path = write_csv(
        tmp_path / "i.csv",
        ["rut_cliente", "fecha", "tipo", "email_usuario", "email_contacto", "resumen"],
        [
            [
                catalog.tax_ids[0],
                "2025-06-01",
                "visit",
                "vendedora@empresa.cl",
                "ana@cliente.cl",
                "Revisión anual",
            ],
            [catalog.tax_ids[0], "2025-06-02", "llamada", "nadie@empresa.cl", "", ""],
            [catalog.tax_ids[0], "2025-06-03", "fax", "", "", ""],
        ],
    )

    _result, report = _import("interactions", path)

    assert report == [
        "i.csv,3,user_email,nadie@empresa.cl,No user has the email nadie@empresa.cl.",
        'i.csv,4,kind,fax,"Not one of: visit, call, meeting, email, event, support."',
    ]
    assert Interaction.objects.count() == 0
    fixed = write_csv(
        tmp_path / "i2.csv",
        ["account_tax_id", "date", "kind", "user_email", "contact_email"],
        [[catalog.tax_ids[0], "2025-06-01", "visit", user.email, contact.email]],
    )
    _import("interactions", fixed)
    interaction = Interaction.objects.get()
    assert (interaction.user, list(interaction.contacts.all()), interaction.occurred_on.isoformat()) == (
        user,
        [contact],
        "2025-06-01",
    )
