import django.utils.timezone
from django.db import migrations, models


def fill_local_dates(apps, schema_editor):
    Interaction = apps.get_model("relationship", "Interaction")
    batch = []
    for interaction in Interaction.objects.only("pk", "occurred_at").iterator(chunk_size=2000):
        interaction.occurred_on = django.utils.timezone.localdate(interaction.occurred_at)
        batch.append(interaction)
        if len(batch) >= 2000:
            Interaction.objects.bulk_update(batch, ["occurred_on"])
            batch = []
    if batch:
        Interaction.objects.bulk_update(batch, ["occurred_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("relationship", "0002_add_cross_app_links"),
    ]

    operations = [
        migrations.AddField(
            model_name="interaction",
            name="occurred_on",
            field=models.DateField(editable=False, null=True, verbose_name="date"),
        ),
        migrations.RunPython(fill_local_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="interaction",
            name="occurred_on",
            field=models.DateField(editable=False, verbose_name="date"),
        ),
        migrations.AddIndex(
            model_name="interaction",
            index=models.Index(fields=["account", "occurred_on"], name="interaction_account_date_idx"),
        ),
    ]
