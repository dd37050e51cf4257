# The tallies analytics count from (quiz.tallies, made by quiz 0016) for the attempts and
# calls to action already recorded. It runs here, not in quiz, because it reads
# CallToActionClick too, and quiz's migrations depend on nothing above that app.

from django.db import migrations


def count_existing_attempts(apps, schema_editor):
    # The same code `manage.py rebuild_tallies` runs, on this migration's models.
    from quiz.tallies import rebuild

    rebuild(models=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0008_region_validator_message"),
        ("quiz", "0016_tallies_replace_analytics_indexes"),
    ]

    operations = [
        migrations.RunPython(count_existing_attempts, migrations.RunPython.noop),
    ]
