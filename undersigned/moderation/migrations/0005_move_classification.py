"""The other half of signatures 0012: these models now belong to signatures; the tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('signatures', '0012_move_classification'),
        ('moderation', '0004_duplicatesuggestion'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='blockrule',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='duplicatesuggestion',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='duplicatesuggestion',
                    name='other',
                ),
                migrations.RemoveField(
                    model_name='duplicatesuggestion',
                    name='signature',
                ),
                migrations.RemoveField(
                    model_name='duplicatesuggestion',
                    name='statement',
                ),
                migrations.DeleteModel(
                    name='SpentChallenge',
                ),
                migrations.DeleteModel(
                    name='SurgeWatch',
                ),
                migrations.DeleteModel(
                    name='BlockRule',
                ),
                migrations.DeleteModel(
                    name='DuplicateSuggestion',
                ),
            ],
        ),
    ]
