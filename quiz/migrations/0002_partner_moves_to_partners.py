# Partner moves to the careerquiz.partners app, keeping every row: its tables
# are renamed (quiz_partner -> partners_partner, and its history table), and
# the content types follow, so permissions, admin log entries and history keep
# pointing at the same partners.
#
# The attempts' partner_id column keeps its values. In this app's migration
# state it is a plain number from here on, so no quiz migration depends on the
# partners app above it. (This state named partners.Partner until 0014 made
# Attempt.partner_id a plain column: databases that ran this migration then
# have the same tables.) The foreign key constraint stays until 0014 drops it.

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
                    # Indexed, as the foreign key was, until 0006.
                    field=models.BigIntegerField(
                        blank=True, null=True, db_index=True, db_column="partner_id"
                    ),
                ),
                migrations.DeleteModel(name="HistoricalPartner"),
                migrations.DeleteModel(name="Partner"),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
