"""The snapshot keeps the indexes its reads use: profit class and contact alert lose theirs, and the tier
keeps a plain one (PostgreSQL also had a pattern-matching twin of the tier's and the class's indexes).

The fields change in the migration state only; the database drops the indexes by name (the names
Django gave them, the same on PostgreSQL and SQLite). Altering the fields' db_index directly would
make SQLite copy the whole table once per field."""

from django.db import migrations, models

DROPPED = [
    "insights_accountinsight_is_disconnected_fe818bca",
    "insights_accountinsight_profit_class_6079321f",
    "insights_accountinsight_profit_class_6079321f_like",
    "insights_accountinsight_tier_38375c1b",
    "insights_accountinsight_tier_38375c1b_like",
]

PLAIN = {
    "insights_accountinsight_is_disconnected_fe818bca": "is_disconnected",
    "insights_accountinsight_profit_class_6079321f": "profit_class",
    "insights_accountinsight_tier_38375c1b": "tier",
}


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_add_cross_app_links"),
        ("insights", "0010_staged_insight"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="accountinsight",
                    name="is_disconnected",
                    field=models.BooleanField(default=False, verbose_name="disconnected"),
                ),
                migrations.AlterField(
                    model_name="accountinsight",
                    name="profit_class",
                    field=models.CharField(
                        choices=[
                            ("A", "A — top 80% of profit"),
                            ("B", "B — next 15% of profit"),
                            ("C", "C — last 5% of profit"),
                            ("L", "L — loss-making"),
                        ],
                        max_length=1,
                        verbose_name="profit class",
                    ),
                ),
                migrations.AlterField(
                    model_name="accountinsight",
                    name="tier",
                    field=models.CharField(
                        choices=[
                            ("prospect", "Prospect"),
                            ("buyer", "Buyer"),
                            ("sporadic", "Sporadic"),
                            ("frequent", "Frequent"),
                            ("loyal", "Loyal"),
                        ],
                        max_length=16,
                        verbose_name="loyalty tier",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in DROPPED],
                    # Back: the plain indexes (not PostgreSQL's pattern-matching twins, which no read used).
                    reverse_sql=[
                        f'CREATE INDEX "{name}" ON "insights_accountinsight" ("{column}")'
                        for name, column in PLAIN.items()
                    ],
                )
            ],
        ),
        migrations.AddIndex(
            model_name="accountinsight",
            index=models.Index(fields=["tier"], name="insight_tier_idx"),
        ),
    ]
