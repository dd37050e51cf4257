"""Lean attempts: a completed attempt's result is built from its version and answers.

Rows completed before this keep their stored result document and read it as
stored (schema 1); rows completed after store none (the column is NULL) and
name the result schema their result is built under. Open attempts' empty `{}`
becomes NULL, which costs nothing in a row.
"""

from django.db import migrations, models

import quiz.models


def empty_results_to_null(apps, schema_editor):
    Attempt = apps.get_model("quiz", "Attempt")
    Attempt.objects.filter(completed_at__isnull=True).update(result=None)


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0013_question_dimension"),
    ]

    operations = [
        # Every existing row was completed (or will be read) under schema 1 ...
        migrations.AddField(
            model_name="attempt",
            name="result_schema",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        # ... and new ones under the current schema.
        migrations.AlterField(
            model_name="attempt",
            name="result_schema",
            field=models.PositiveSmallIntegerField(
                default=2,
                db_default=1,
                help_text="The result schema the attempt was completed under: its result is "
                "built by that schema's builder (quiz.results.BUILDERS).",
            ),
        ),
        migrations.AlterField(
            model_name="attempt",
            name="result",
            field=quiz.models.ResultField(
                blank=True,
                default=None,
                help_text="The result document, for attempts completed before results were "
                "built on reading; empty for later ones.",
                null=True,
            ),
        ),
        migrations.RunPython(empty_results_to_null, migrations.RunPython.noop, elidable=True),
    ]
