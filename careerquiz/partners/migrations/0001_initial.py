# Partner and its history moved here from the quiz app. The tables already
# exist (quiz.0001 created them, quiz.0002 renames them), so this migration
# only tells Django's migration state that the models now live in this app.

import careerquiz.partners.models
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("quiz", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Partner",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=200)),
                        ("public_key", models.CharField(default=careerquiz.partners.models.new_public_key, max_length=64, unique=True)),
                        ("allowed_origins", models.TextField(blank=True, help_text="One origin per line, e.g. https://careers.example.com", validators=[careerquiz.partners.models.validate_origins])),
                        ("theme", models.JSONField(blank=True, default=dict, help_text='e.g. {"accent": "#0b5fff", "font": "system-ui"}')),
                        ("is_active", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalPartner",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("name", models.CharField(max_length=200)),
                        ("public_key", models.CharField(db_index=True, default=careerquiz.partners.models.new_public_key, max_length=64)),
                        ("allowed_origins", models.TextField(blank=True, help_text="One origin per line, e.g. https://careers.example.com", validators=[careerquiz.partners.models.validate_origins])),
                        ("theme", models.JSONField(blank=True, default=dict, help_text='e.g. {"accent": "#0b5fff", "font": "system-ui"}')),
                        ("is_active", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        ("history_type", models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1)),
                        ("history_user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "historical partner",
                        "verbose_name_plural": "historical partners",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
            ],
        ),
    ]
