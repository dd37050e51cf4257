# Analytics counts from tallies kept as attempts change (quiz.tallies), so the two
# 14-column covering indexes every attempt's INSERT and completion paid for give way
# to two narrow ones. The tallies of the attempts already there are counted by
# partners 0009, which can read calls to action too (partners sit above quiz).

from django.db import migrations, models


def leave_room_for_counts(apps, schema_editor):
    # A tally's counts change in place all day; with room left on each page PostgreSQL
    # updates them without writing a new entry in the wide unique index (HOT updates).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE quiz_tally SET (fillfactor = 70)")


class Migration(migrations.Migration):

    dependencies = [
        ('quiz', '0015_attempt_partner_id_column'),
    ]

    operations = [
        migrations.CreateModel(
            name='Tally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(help_text='The day the attempts started, in TallyState.zone.')),
                ('quiz_id', models.IntegerField()),
                ('version_id', models.IntegerField()),
                ('partner_id', models.IntegerField(help_text='0: no partner.')),
                ('channel', models.CharField(max_length=10)),
                ('ref', models.CharField(max_length=64)),
                ('kind', models.PositiveSmallIntegerField()),
                ('step_reached', models.SmallIntegerField(default=0)),
                ('rung_order', models.SmallIntegerField(default=0)),
                ('claimed_rung_order', models.SmallIntegerField(default=-1, help_text='-1: no title rung.')),
                ('confidence_label', models.CharField(default='', max_length=10)),
                ('context_answer', models.CharField(default='', max_length=60)),
                ('bit', models.SmallIntegerField(default=0, help_text="An evidence question's mask bit.")),
                ('band', models.SmallIntegerField(default=0, help_text='A time-to-complete band.')),
                ('n', models.BigIntegerField(default=0)),
                ('also', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='TallyState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('zone', models.CharField(max_length=64)),
                ('rebuilt_at', models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.RemoveIndex(
            model_name='attempt',
            name='quiz_attempt_analytics',
        ),
        migrations.RemoveIndex(
            model_name='attempt',
            name='quiz_attempt_partner_started',
        ),
        migrations.AddIndex(
            model_name='attempt',
            index=models.Index(fields=['quiz', 'started_at'], name='quiz_attempt_quiz_started'),
        ),
        migrations.AddIndex(
            model_name='attempt',
            index=models.Index(fields=['partner_id', 'started_at'], name='quiz_attempt_partner_day'),
        ),
        migrations.AddConstraint(
            model_name='tally',
            constraint=models.UniqueConstraint(fields=('quiz_id', 'kind', 'day', 'version_id', 'partner_id', 'channel', 'ref', 'step_reached', 'rung_order', 'claimed_rung_order', 'confidence_label', 'context_answer', 'bit', 'band'), name='quiz_tally_key'),
        ),
        migrations.AlterField(
            model_name='attempt',
            name='rung_slug',
            field=models.SlugField(blank=True, db_index=False),
        ),
        migrations.RunPython(leave_room_for_counts, migrations.RunPython.noop),
    ]
