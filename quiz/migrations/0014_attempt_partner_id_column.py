# Attempt.partner, a foreign key to partners.Partner (an app above this one), becomes
# the plain column Attempt.partner_id: the same column with the same values, no longer
# a key, so this app's schema and migrations no longer depend on careerquiz.partners
# (which now clears the id when a partner is deleted, as SET_NULL did).
#
# Step 1 alters the field in place under its old name: the database drops the foreign
# key constraint and keeps every value (SQLite copies the table, PostgreSQL only drops
# the constraint: the column is bigint either way). Step 2 renames the field to what it
# now is, and points the two indexes at the new name: the column, and so the indexes,
# are unchanged, so that is the migration state's business only.

from django.db import migrations, models

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
        ("quiz", "0013_question_dimension"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attempt",
            name="partner",
            field=models.BigIntegerField(blank=True, null=True, db_column="partner_id"),
        ),
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
