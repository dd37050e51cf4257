# Partner moves to the careerquiz.partners app, keeping every row: its tables
# are renamed (quiz_partner -> partners_partner, and its history table), the
# attempts' foreign key now names partners.Partner (same column, same rows),
# and the content types follow, so permissions, admin log entries and
# history keep pointing at the same partners.

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("partner", "historicalpartner")


def move_content_types(apps, schema_editor, *, old="quiz", new="partners"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="partners", new="quiz")


class Migration(migrations.Migration):

    dependencies = [
        ("quiz", "0001_initial"),
        ("partners", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="partner", table="partners_partner"),
                migrations.AlterModelTable(
                    name="historicalpartner", table="partners_historicalpartner"
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="attempt",
                    name="partner",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="attempts",
                        to="partners.partner",
                    ),
                ),
                migrations.DeleteModel(name="HistoricalPartner"),
                migrations.DeleteModel(name="Partner"),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
