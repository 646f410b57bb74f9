from django.db import migrations

_RUNNING_TOTALS = (
    "orders_to_date, revenue_to_date_cents, cogs_to_date_cents, gross_to_date_cents, "
    "cost_to_serve_to_date_cents, marketing_to_date_cents, first_order_date, last_order_date"
)


def unique_index_with_running_totals(apps, schema_editor):
    """PostgreSQL only: the unique (account, date) index also holds the running totals, and replaces the
    covering index of migration 0007, which had the same key. A refresh then keeps one (account, date)
    index up to date instead of two, and the probe for an account's row on or before a date reads the
    same index pages the refresh's delete and insert just read (docs/adr/0010-running-totals.md)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE insights_accountday DROP CONSTRAINT account_day_unique, "
        "ADD CONSTRAINT account_day_unique UNIQUE (account_id, date) "
        f"INCLUDE ({_RUNNING_TOTALS})"
    )
    schema_editor.execute("DROP INDEX IF EXISTS account_day_running_idx")


def separate_covering_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS account_day_running_idx ON insights_accountday (account_id, date) "
        f"INCLUDE ({_RUNNING_TOTALS})"
    )
    schema_editor.execute(
        "ALTER TABLE insights_accountday DROP CONSTRAINT account_day_unique, "
        "ADD CONSTRAINT account_day_unique UNIQUE (account_id, date)"
    )


class Migration(migrations.Migration):
    dependencies = [("insights", "0007_running_totals")]

    operations = [migrations.RunPython(unique_index_with_running_totals, separate_covering_index)]
