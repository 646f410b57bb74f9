"""Exports: every kind in the import's columns, formulas neutralised, numbers and dates typed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from cartera.accounts.models import Account
from cartera.accounts.tests.factories import AccountFactory, ContactFactory
from cartera.commerce.models import OrderLine
from cartera.core.testing import make_rut
from cartera.costs.models import ServiceCost
from cartera.dataio.export import write_csv, write_xlsx
from cartera.dataio.services import ImportFile, import_files
from cartera.dataio.tests.factories import ORDER_HEADER, order_rows
from cartera.dataio.tests.factories import write_csv as write_file

FORMULAS = ['=HYPERLINK("http://x.example","clic")', "+1", "-5", "@SUM(A1:A2)"]


def _export(kind, path, fmt="csv", *filters):
    args = ["export", kind, "--format", fmt, "--output", str(path)]
    for item in filters:
        args += ["--filter", item]
    call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    return path


def test_text_that_looks_like_a_formula_is_neutralised_while_numbers_stay_numbers(tmp_path):
    # Given product rows whose names look like formulas, and a negative number
    rows = [
        {
            "sku": "A",
            "name": name,
            "product_line": "L",
            "list_price": Decimal("-5"),
            "unit_cost": Decimal("1.50"),
        }
        for name in FORMULAS
    ]

    # When they are written as CSV and as XLSX
    text = io.StringIO()
    write_csv("products", rows, text)
    write_xlsx("products", rows, tmp_path / "p.xlsx")

    # Then the CSV quotes the formulas and writes -5 as a plain number
    assert text.getvalue().splitlines() == [
        "sku,name,product_line,list_price,unit_cost",
        'A,"\'=HYPERLINK(""http://x.example"",""clic"")",L,-5,1.50',
        "A,'+1,L,-5,1.50",
        "A,'-5,L,-5,1.50",
        "A,'@SUM(A1:A2),L,-5,1.50",
    ]
    # And the workbook holds text cells with the quote and real numbers
    sheet = load_workbook(tmp_path / "p.xlsx").active
    cells = [
        (row[1].value, row[1].data_type, row[3].value, row[3].data_type) for row in sheet.iter_rows(min_row=2)
    ]
    assert cells == [("'" + name, "s", -5, "n") for name in FORMULAS]


def test_accounts_exported_with_formula_names_re_import_unchanged(db, tmp_path):
    # Given accounts whose names start with formula characters
    rows = [[make_rut(76_100_000 + index), name, "CL"] for index, name in enumerate(FORMULAS)]
    path = write_file(tmp_path / "in.csv", ["tax_id", "name", "country"], rows)
    assert import_files(actor=None, files=[ImportFile("accounts", str(path))]).problem_count == 0

    # When they are exported as CSV and as XLSX and imported again
    for fmt in ("csv", "xlsx"):
        path = _export("accounts", tmp_path / f"cuentas.{fmt}", fmt)
        result = import_files(actor=None, files=[ImportFile("accounts", str(path))])

        # Then nothing changes, and the names are stored without the quote
        assert (result.problem_count, result.files[0].created, result.files[0].unchanged) == (0, 0, 4)
    assert sorted(Account.objects.values_list("legal_name", flat=True)) == sorted(FORMULAS)


def test_orders_round_trip_through_csv_and_xlsx(catalog, tmp_path):
    import_files(
        actor=None,
        files=[
            ImportFile(
                "orders",
                str(
                    write_file(
                        tmp_path / "o.csv", ORDER_HEADER, order_rows(60, catalog.tax_ids, catalog.skus)
                    )
                ),
            )
        ],
    )
    before = list(
        OrderLine.objects.order_by("id").values_list(
            "order__number", "product__sku", "quantity", "revenue_cents"
        )
    )

    for fmt in ("csv", "xlsx"):
        path = _export("orders", tmp_path / f"pedidos.{fmt}", fmt)
        result = import_files(actor=None, files=[ImportFile("orders", str(path))])
        assert (result.problem_count, result.files[0].created, result.files[0].unchanged) == (0, 0, 60)

    sheet = load_workbook(tmp_path / "pedidos.xlsx").active
    first = [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert (first[3], first[5], first[6]) == (dt.datetime(2025, 1, 1), 1, 1000.5)
    assert (
        list(
            OrderLine.objects.order_by("id").values_list(
                "order__number", "product__sku", "quantity", "revenue_cents"
            )
        )
        == before
    )


def test_service_costs_round_trip_into_an_empty_table(catalog, tmp_path):
    account = catalog.accounts[0]
    ServiceCost.objects.create(
        account=account, date=dt.date(2025, 4, 1), kind="visits", amount=Decimal("1500.50"), note="-5 visitas"
    )
    path = _export("service-costs", tmp_path / "costos.csv")
    assert path.read_text().splitlines()[1].endswith(",2025-04-01,visits,1500.50,'-5 visitas")
    ServiceCost.objects.all().delete()

    result = import_files(actor=None, files=[ImportFile("service-costs", str(path))])

    assert result.problem_count == 0
    assert list(ServiceCost.objects.values_list("account", "date", "kind", "amount", "note")) == [
        (account.pk, dt.date(2025, 4, 1), "visits", Decimal("1500.50"), "-5 visitas")
    ]


def test_exports_filter_like_the_list_and_json_keeps_the_columns(db, tmp_path):
    AccountFactory(legal_name="Cliente Activo", status="client")
    AccountFactory(legal_name="Prospecto", status="prospect")

    path = _export("accounts", tmp_path / "a.json", "json", "status=prospect")

    data = json.loads(path.read_text())
    assert [(item["name"], item["status"]) for item in data] == [("Prospecto", "prospect")]
    assert list(data[0]) == [
        "tax_id",
        "name",
        "country",
        "region",
        "city",
        "industry",
        "size",
        "language",
        "currency",
        "status",
        "portfolio",
        "owner_email",
        "strategic_fit",
    ]


def test_the_export_view_shows_only_what_the_user_sees(client, world):
    # Given an executive who sees two of the three accounts
    client.force_login(world.executive)

    # When they export the accounts list
    response = client.get("/data/export/accounts/", {"q": ""})

    # Then the file holds exactly the accounts they see
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert response.status_code == 200
    assert sorted(row["name"] for row in rows) == sorted(
        [world.in_portfolio.legal_name, world.on_team.legal_name]
    )


def test_the_export_view_applies_the_contact_filters(client, world):
    ContactFactory(account=world.in_portfolio, last_name="Zúñiga", buying_role="purchaser")
    client.force_login(world.manager)

    response = client.get("/data/export/contacts/", {"buying_role": "purchaser", "format": "json"})

    assert [row["last_name"] for row in json.loads(response.content)] == ["Zúñiga"]


@pytest.mark.django_db
def test_the_web_export_refuses_insights_as_of_a_past_date_without_recomputing(client, monkeypatch):
    from cartera.insights import selectors
    from cartera.users.tests.factories import UserFactory

    calls = []
    monkeypatch.setattr(selectors, "snapshot_recompute", lambda **kwargs: calls.append(kwargs))
    client.force_login(UserFactory(role="sales_manager"))

    response = client.get("/data/export/insights/", {"as_of": "2025-12-31", "format": "csv"})

    assert response.status_code == 400
    assert "cartera insights export --as-of" in response.content.decode()
    assert calls == []
