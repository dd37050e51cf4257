# Attempt's partner, until now a foreign key to partners.Partner (an app above this
# one), becomes the plain column Attempt.partner_id: the same column with the same
# values, so this app's schema and migrations no longer depend on careerquiz.partners
# (which now clears the id when a partner is deleted, as SET_NULL did).
#
# The migration state has held it as a plain number since 0002 (see there); the
# database drops the foreign key constraint here. The field takes its new name, and
# the two indexes follow it: the column, and so the indexes, are unchanged.

from django.db import migrations, models


def drop_partner_key(apps, schema_editor):
    """Drop the foreign key constraint on quiz_attempt.partner_id, if there is one."""
    attempt = apps.get_model("quiz", "Attempt")
    table = attempt._meta.db_table
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    keys = [
        name
        for name, constraint in constraints.items()
        if constraint["foreign_key"] and constraint["columns"] == ["partner_id"]
    ]
    if not keys:
        return  # SQLite already rebuilt the table from the state, without it
    if connection.vendor == "sqlite":
        # SQLite cannot drop a constraint: the table is rebuilt, every row copied, as
        # any altered field on SQLite is (the state's plain column has no key).
        schema_editor._remake_table(attempt)
    else:
        for name in keys:
            schema_editor.execute(schema_editor._delete_fk_sql(attempt, name))

COUNTED = [
    "completed_at",
    "partner_id",
    "version",
    "channel",
    "ref",
    "step_reached",
    "rung_order",
    "claimed_rung_order",
    "confidence_label",
    "context_answer",
    "held_back_mask",
    "below_placed_mask",
]


class Migration(migrations.Migration):

    dependencies = [
        ("quiz", "0014_lean_attempts"),
    ]

    operations = [
        migrations.RunPython(drop_partner_key, migrations.RunPython.noop, elidable=True),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="attempt", name="quiz_attempt_analytics"),
                migrations.RemoveIndex(model_name="attempt", name="quiz_attempt_partner_started"),
                migrations.RenameField(
                    model_name="attempt", old_name="partner", new_name="partner_id"
                ),
                migrations.AlterField(
                    model_name="attempt",
                    name="partner_id",
                    field=models.BigIntegerField(
                        blank=True,
                        help_text="The partner that brought the visitor (its id).",
                        null=True,
                    ),
                ),
                migrations.AddIndex(
                    model_name="attempt",
                    index=models.Index(
                        fields=["quiz", "started_at", *COUNTED], name="quiz_attempt_analytics"
                    ),
                ),
                migrations.AddIndex(
                    model_name="attempt",
                    index=models.Index(
                        fields=[
                            "partner_id",
                            "started_at",
                            "quiz",
                            *(c for c in COUNTED if c != "partner_id"),
                        ],
                        name="quiz_attempt_partner_started",
                    ),
                ),
            ],
        ),
    ]
