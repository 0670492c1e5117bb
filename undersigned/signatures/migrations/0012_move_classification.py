"""Block rules, spent proof-of-work challenges, the surge watch and duplicate suggestions move from
the moderation app to signatures, which classifies each signature as it is recorded. Their
tables stay as they are (db_table): only Django's picture of which app owns them changes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('moderation', '0004_duplicatesuggestion'),
        ('signatures', '0011_entries_without_a_mailbox'),
        ('statements', '0004_statement_proof_of_work'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='SpentChallenge',
                    fields=[
                        ('nonce', models.CharField(max_length=32, primary_key=True, serialize=False)),
                        ('expires', models.DateTimeField(db_index=True)),
                    ],
                    options={
                        'db_table': 'moderation_spentchallenge',
                    },
                ),
                migrations.CreateModel(
                    name='SurgeWatch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('last_signature_id', models.BigIntegerField(default=0)),
                        ('checked_at', models.DateTimeField()),
                    ],
                    options={
                        'db_table': 'moderation_surgewatch',
                    },
                ),
                migrations.CreateModel(
                    name='BlockRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('email', 'email address'), ('domain', 'email domain'), ('network', 'IP range (CIDR)')], max_length=10)),
                        ('value', models.CharField(max_length=254)),
                        ('reason', models.CharField(blank=True, max_length=200)),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'moderation_blockrule',
                        'constraints': [models.UniqueConstraint(fields=('kind', 'value'), name='one_rule_per_value'), models.CheckConstraint(condition=models.Q(('kind__in', ['email', 'domain', 'network'])), name='block_kind_valid')],
                    },
                ),
                migrations.CreateModel(
                    name='DuplicateSuggestion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('score', models.PositiveSmallIntegerField()),
                        ('reason', models.CharField(max_length=20)),
                        ('decision', models.CharField(choices=[('open', 'open'), ('merged', 'merged'), ('distinct', 'distinct')], default='open', max_length=10)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('other', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='signatures.signature')),
                        ('signature', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='signatures.signature')),
                        ('statement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='duplicate_suggestions', to='statements.statement')),
                    ],
                    options={
                        'db_table': 'moderation_duplicatesuggestion',
                        'constraints': [models.UniqueConstraint(fields=('signature', 'other'), name='one_suggestion_per_pair')],
                    },
                ),
            ],
        ),
    ]
