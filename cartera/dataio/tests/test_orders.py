"""Importing orders: all or nothing, upserts, and every problem reported with its row and column."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from cartera.commerce.amounts import line_amounts
from cartera.commerce.models import Order, OrderLine
from cartera.core.models import AuditRecord
from cartera.dataio.services import SKIP_BAD_ROWS, ImportFile, import_files
from cartera.dataio.tests.factories import ORDER_HEADER, order_rows, write_csv


def _import(path, **options):
    report = io.StringIO()
    result = import_files(actor=None, files=[ImportFile("orders", str(path))], report=report, **options)
    return result, report.getvalue().splitlines()


def test_a_bad_row_near_the_end_of_100000_commits_nothing_and_the_fixed_file_commits_every_line_once(
    catalog, tmp_path
):
    # Given 100,000 order lines whose 99,990th line (row 99,991) has a date that does not exist
    rows = list(order_rows(100_000, catalog.tax_ids, catalog.skus))
    good_date = rows[99_989][2]
    rows[99_989][2] = "2025-02-30"
    bad = write_csv(tmp_path / "pedidos.csv", ORDER_HEADER, rows)
    audits_before = AuditRecord.objects.count()

    # When it is imported
    result, report = _import(bad)

    # Then nothing is written, and the report names that row and column only
    assert (Order.objects.count(), OrderLine.objects.count()) == (0, 0)
    assert AuditRecord.objects.count() == audits_before
    assert result.committed is False
    assert result.problem_count == 1
    assert report == [
        "file,row,column,value,message",
        "pedidos.csv,99991,order_date,2025-02-30,Not a date: write it as 2025-12-31 or 31/12/2025.",
    ]

    # When the fixed file is imported
    rows[99_989][2] = good_date
    fixed = write_csv(tmp_path / "pedidos.csv", ORDER_HEADER, rows)
    result, _report = _import(fixed)

    # Then exactly 100,000 lines in 25,000 orders are written, with one audit record for the batch
    assert result.committed is True
    assert (Order.objects.count(), OrderLine.objects.count()) == (25_000, 100_000)
    assert AuditRecord.objects.filter(action="bulk_create", object_type="commerce.order").count() == 1

    # When the same file is imported again
    result, _report = _import(fixed)

    # Then nothing is duplicated: every line is recognised by order number and SKU
    assert (Order.objects.count(), OrderLine.objects.count()) == (25_000, 100_000)
    assert (result.files[0].created, result.files[0].unchanged) == (0, 100_000)


def test_each_line_stores_its_cents_computed_by_line_amounts(catalog, tmp_path):
    # Given a line of 3 units at 1.234,56 with 12.5 % off, written the way a Spanish spreadsheet does
    tax_id, sku = catalog.tax_ids[0], catalog.skus[0]
    path = write_csv(
        tmp_path / "pedidos.csv",
        ["numero_pedido", "rut_cliente", "fecha", "codigo", "cantidad", "precio_unitario", "descuento"],
        [["OC-1", tax_id, "31/12/2025", sku, "3", "1.234,56", "12,5"]],
        delimiter=";",
        bom=True,
    )

    # When it is imported
    result, _report = _import(path)

    # Then the line holds the typed values and the cents of the commerce definition
    assert result.problem_count == 0
    line = OrderLine.objects.select_related("order").get()
    assert (line.order.number, line.order.date.isoformat()) == ("OC-1", "2025-12-31")
    assert (line.quantity, line.unit_price, line.discount_pct) == (
        Decimal("3"),
        Decimal("1234.56"),
        Decimal("12.5"),
    )
    expected = line_amounts(
        quantity=Decimal(3),
        unit_price=Decimal("1234.56"),
        discount_pct=Decimal("12.5"),
        unit_cost=Decimal("600.00"),
    )
    assert (line.revenue_cents, line.cogs_cents, line.gross_cents) == expected == (324072, 180000, 370368)


def test_every_problem_is_reported_with_its_row_and_column(catalog, tmp_path):
    # Given lines with an unknown SKU, an unknown account, a wrong check digit, a bad number and a duplicate
    tax_id, sku = catalog.tax_ids[0], catalog.skus[0]
    path = write_csv(
        tmp_path / "pedidos.csv",
        ORDER_HEADER,
        [
            ["OC-1", tax_id, "2025-03-01", sku, "1", "100", "0"],
            ["OC-1", tax_id, "2025-03-01", "NO-EXISTE", "1", "100", "0"],
            ["OC-2", "11.111.111-1", "2025-03-01", sku, "1", "100", "0"],
            ["OC-3", "76.086.428-4", "2025-03-01", sku, "1", "100", "0"],
            ["OC-4", tax_id, "2025-03-01", sku, "dos", "1,5", "0"],
            ["OC-1", tax_id, "2025-03-01", sku, "2", "100", "0"],
        ],
    )

    # When it is imported
    result, report = _import(path)

    # Then every problem is listed, and nothing is written
    assert report[1:] == [
        "pedidos.csv,3,sku,NO-EXISTE,No product has the SKU NO-EXISTE.",
        "pedidos.csv,4,account_tax_id,11.111.111-1,No account of CL has the tax id 11.111.111-1.",
        "pedidos.csv,5,account_tax_id,76.086.428-4,76.086.428-4 is not a valid RUT (CL): the check digit is wrong.",
        "pedidos.csv,6,quantity,dos,Not a number: write it as 1234.56.",
        'pedidos.csv,6,unit_price,"1,5",Not a number: write it as 1234.56.',
        f"pedidos.csv,7,sku,{sku},Duplicate row: order OC-1 already has this SKU in row 2.",
    ]
    assert (result.problem_count, result.committed, OrderLine.objects.count()) == (6, False, 0)


def test_skip_bad_rows_commits_the_good_rows_and_reports_the_others(catalog, tmp_path):
    # Given three lines, the second with an unknown SKU
    tax_id, sku = catalog.tax_ids[0], catalog.skus
    path = write_csv(
        tmp_path / "pedidos.csv",
        ORDER_HEADER,
        [
            ["OC-1", tax_id, "2025-03-01", sku[0], "1", "100", "0"],
            ["OC-1", tax_id, "2025-03-01", "NO-EXISTE", "1", "100", "0"],
            ["OC-2", tax_id, "2025-03-02", sku[1], "1", "100", "0"],
        ],
    )

    # When it is imported skipping bad rows
    result, report = _import(path, mode=SKIP_BAD_ROWS)

    # Then the two good lines are written and the bad one is reported
    assert sorted(OrderLine.objects.values_list("order__number", "product__sku")) == [
        ("OC-1", sku[0]),
        ("OC-2", sku[1]),
    ]
    assert report[1:] == ["pedidos.csv,3,sku,NO-EXISTE,No product has the SKU NO-EXISTE."]
    assert (result.committed, result.files[0].created, result.files[0].rejected) == (True, 2, 1)


def test_a_dry_run_validates_and_writes_nothing(catalog, tmp_path):
    path = write_csv(tmp_path / "pedidos.csv", ORDER_HEADER, order_rows(40, catalog.tax_ids, catalog.skus))

    result, report = _import(path, dry_run=True)

    assert (result.problem_count, result.committed, result.dry_run) == (0, False, True)
    assert report == ["file,row,column,value,message"]
    assert OrderLine.objects.count() == 0


def test_a_missing_required_column_is_reported_once_as_a_header_problem(catalog, tmp_path):
    header = [name for name in ORDER_HEADER if name != "sku"]
    path = write_csv(
        tmp_path / "pedidos.csv", header, [["OC-1", catalog.tax_ids[0], "2025-01-01", "1", "100", "0"]] * 3
    )

    result, report = _import(path)

    assert report[1:] == ["pedidos.csv,1,sku,,Required column missing from the header."]
    assert (result.problem_count, result.files[0].header_refused, OrderLine.objects.count()) == (1, True, 0)


def test_a_corrected_line_updates_the_stored_line_and_its_cents(catalog, tmp_path):
    tax_id, sku = catalog.tax_ids[0], catalog.skus[0]
    first = write_csv(
        tmp_path / "a.csv", ORDER_HEADER, [["OC-1", tax_id, "2025-03-01", sku, "1", "100", "0"]]
    )
    _import(first)
    corrected = write_csv(
        tmp_path / "b.csv", ORDER_HEADER, [["OC-1", tax_id, "2025-03-01", sku, "2", "100", "0"]]
    )

    result, _report = _import(corrected)

    line = OrderLine.objects.get()
    assert (line.quantity, line.revenue_cents, line.cogs_cents) == (Decimal("2"), 20000, 120000)
    assert (result.files[0].created, result.files[0].updated) == (0, 1)


def test_an_order_file_can_name_accounts_and_products_from_earlier_files_of_the_set(db, tmp_path):
    accounts = write_csv(
        tmp_path / "cuentas.csv", ["rut", "razon_social", "pais"], [["76.086.428-5", "Ferretería Sur", "CL"]]
    )
    products = write_csv(
        tmp_path / "productos.csv",
        ["sku", "name", "product_line", "list_price", "unit_cost"],
        [["T-1", "Taladro", "Herramientas", "50000", "30000"]],
    )
    orders = write_csv(
        tmp_path / "pedidos.csv",
        ORDER_HEADER,
        [["OC-9", "76086428-5", "2025-05-05", "T-1", "1", "45000", "0"]],
    )

    result = import_files(
        actor=None,
        files=[
            ImportFile("accounts", str(accounts)),
            ImportFile("products", str(products)),
            ImportFile("orders", str(orders)),
        ],
    )

    assert (result.problem_count, result.committed) == (0, True)
    assert list(
        OrderLine.objects.values_list("order__account__legal_name", "product__sku", "revenue_cents")
    ) == [("Ferretería Sur", "T-1", 4500000)]


def test_an_import_refreshes_only_the_days_it_touched_including_the_old_date_of_a_moved_order(
    catalog, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from cartera.insights import services as insights_services
    from cartera.insights.models import AccountDay

    rebuilt = []
    original = insights_services.facts_rebuild

    def recording_facts_rebuild(**kwargs):
        rebuilt.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(insights_services, "facts_rebuild", recording_facts_rebuild)
    account = catalog.accounts[0]
    tax_id, sku = catalog.tax_ids[0], catalog.skus[0]
    first = write_csv(
        tmp_path / "a.csv",
        ORDER_HEADER,
        [
            ["OC-1", tax_id, "2025-03-01", sku, "1", "100", "0"],
            ["OC-2", tax_id, "2025-03-05", sku, "1", "100", "0"],
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        _import(first)
    # The same order moved to another day, the other order unchanged
    moved = write_csv(
        tmp_path / "b.csv",
        ORDER_HEADER,
        [
            ["OC-1", tax_id, "2025-03-09", sku, "1", "100", "0"],
            ["OC-2", tax_id, "2025-03-05", sku, "1", "100", "0"],
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        _import(moved)

    assert rebuilt == [
        {"days": [(account.pk, dt.date(2025, 3, 1)), (account.pk, dt.date(2025, 3, 5))]},
        {"days": [(account.pk, dt.date(2025, 3, 1)), (account.pk, dt.date(2025, 3, 9))]},
    ]
    # The running totals start again from the emptied day: the moved order now counts second.
    assert list(
        AccountDay.objects.filter(account=account)
        .order_by("date")
        .values_list("date", "orders", "orders_to_date", "first_order_date")
    ) == [
        (dt.date(2025, 3, 5), 1, 1, dt.date(2025, 3, 5)),
        (dt.date(2025, 3, 9), 1, 2, dt.date(2025, 3, 5)),
    ]
