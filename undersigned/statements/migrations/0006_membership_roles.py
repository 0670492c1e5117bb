"""Coordinators get roles: the `owners` table becomes the Membership model (same table, same
rows, every existing coordinator an owner), and invitations are kept."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0005_statement_organizer_and_contact"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table exists (statements_statement_owners: id, statement_id, user_id).
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "statement",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="statements.statement",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "statements_statement_owners"},
                ),
                migrations.AlterField(
                    model_name="statement",
                    name="owners",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="statements",
                        through="statements.Membership",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="membership",
            name="role",
            field=models.CharField(
                choices=[("owner", "owner"), ("editor", "editor"), ("moderator", "moderator")],
                default="owner",
                max_length=10,
            ),
        ),
    ]
