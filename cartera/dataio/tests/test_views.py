"""The import page: upload, preview and mapping, dry run with per-row problems, background commit."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cartera.accounts.models import Account
from cartera.commerce.models import OrderLine
from cartera.core.taxid import format_tax_id
from cartera.dataio.models import ImportJob, ImportStatus
from cartera.dataio.readers import csv_text
from cartera.users.models import Role


def _upload(client, name, text, **fields):
    data = {
        "kind": "orders",
        "mode": "all-or-nothing",
        "file": SimpleUploadedFile(name, text.encode()),
        **fields,
    }
    return client.post("/data/import/", data)


@pytest.mark.parametrize("role", [Role.SUPPORT_AGENT, Role.MARKETING_ANALYST])
def test_read_only_roles_may_not_open_the_import_page_nor_upload(client, world, role):
    client.force_login(world.user(role))

    page = client.get("/data/import/")
    upload = _upload(client, "pedidos.csv", "order_number\n")

    assert (page.status_code, upload.status_code) == (403, 403)
    assert ImportJob.objects.count() == 0


def test_an_upload_shows_the_mapping_and_the_first_rows(client, world):
    client.force_login(world.manager)
    text = csv_text(
        [
            ["numero_pedido", "rut_cliente", "fecha", "cantidad", "extra"],
            ["OC-1", "76.086.428-5", "31/12/2025", "2", "x"],
        ],
        ";",
    )

    response = _upload(client, "pedidos.csv", text)
    job = ImportJob.objects.get()
    page = client.get(response["Location"])

    assert response["Location"] == f"/data/import/{job.pk}/"
    mapping = {
        item["field"]: (item["header"], item["missing"]) for item in page.context["preview"]["mapping"]
    }
    assert mapping["order_number"] == ("numero_pedido", False)
    assert mapping["order_date"] == ("fecha", False)
    assert mapping["sku"] == ("", True)
    assert page.context["preview"]["ignored"] == ["extra"]
    assert page.context["preview"]["rows"] == [["OC-1", "76.086.428-5", "31/12/2025", "2", "x"]]


def test_a_dry_run_lists_the_problems_and_the_commit_imports_the_file(
    client, world, django_capture_on_commit_callbacks
):
    # Given a manager who uploads an orders file with one unknown SKU
    from cartera.commerce.tests.factories import ProductFactory

    client.force_login(world.manager)
    product = ProductFactory(sku="T-1")
    tax_id = format_tax_id("CL", world.in_portfolio.tax_id)
    header = ["order_number", "account_tax_id", "order_date", "sku", "quantity", "unit_price"]
    bad = csv_text(
        [
            header,
            ["OC-1", tax_id, "2025-12-31", "T-1", "1", "10"],
            ["OC-1", tax_id, "2025-12-31", "X-9", "1", "10"],
        ]
    )
    _upload(client, "pedidos.csv", bad)
    job = ImportJob.objects.get()

    # When the dry run runs (the background task runs when the request's transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/data/import/{job.pk}/run/", {"action": "dry_run"})
    status = client.get(f"/data/import/{job.pk}/status/")

    # Then the status shows the problem, and nothing was written
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    assert [(p["row"], p["column"], p["value"]) for p in status.context["job"].result["problems"]] == [
        (3, "sku", "X-9")
    ]
    assert OrderLine.objects.count() == 0

    # When a corrected file goes through the dry run and the commit
    good = csv_text([header, ["OC-1", tax_id, "2025-12-31", "T-1", "1", "10"]])
    _upload(client, "pedidos2.csv", good)
    job = ImportJob.objects.latest("id")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/data/import/{job.pk}/run/", {"action": "dry_run"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/data/import/{job.pk}/run/", {"action": "commit"})

    # Then the line is in the database and the job says so
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED
    assert list(OrderLine.objects.values_list("order__account", "product", "revenue_cents")) == [
        (world.in_portfolio.pk, product.pk, 1000)
    ]


def test_an_executive_cannot_import_rows_for_an_account_they_may_not_change(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.executive)
    text = csv_text(
        [
            ["tax_id", "name", "country", "city"],
            [format_tax_id("CL", world.elsewhere.tax_id), "Otro", "CL", "Talca"],
        ]
    )
    _upload(client, "cuentas.csv", text, kind="accounts")
    job = ImportJob.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/data/import/{job.pk}/run/", {"action": "commit"})

    job.refresh_from_db()
    assert job.status == ImportStatus.REFUSED
    assert Account.objects.get(pk=world.elsewhere.pk).city == world.elsewhere.city


def test_another_users_job_is_not_found(client, world):
    job = ImportJob.objects.create(kind="orders", file_name="x.csv", created_by=world.executive)
    client.force_login(world.other_executive)

    assert client.get(f"/data/import/{job.pk}/").status_code == 404
