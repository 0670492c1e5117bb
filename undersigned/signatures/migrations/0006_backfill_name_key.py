"""Organization signatures from before name keys existed get one, so that the database's
one-organization-per-name rule and the A–Z list cover them too. Where two published ones would
then clash (same name and country), the later one keeps an empty key and the pair is put
before the owner as a duplicate to merge: nothing changes status in a migration."""

from django.db import migrations


def backfill(apps, schema_editor):
    from undersigned.signatures.dedupe import exact_key

    Signature = apps.get_model("signatures", "Signature")
    Suggestion = apps.get_model("moderation", "DuplicateSuggestion")
    published: dict[tuple, int] = {}
    for row in (
        Signature.objects.filter(kind="organization", status="published")
        .exclude(name_key="")
        .values_list("pk", "statement_id", "name_key", "country")
    ):
        published[row[1:]] = row[0]
    rows = Signature.objects.filter(kind="organization", name_key="").order_by("pk")
    for signature in rows.only("pk", "statement_id", "name", "country", "status").iterator(500):
        key = exact_key(signature.name)
        if not key:
            continue
        slot = (signature.statement_id, key, signature.country)
        if signature.status == "published":
            if slot in published:
                Suggestion.objects.get_or_create(
                    signature_id=signature.pk,
                    other_id=published[slot],
                    defaults={
                        "statement_id": signature.statement_id,
                        "score": 100,
                        "reason": "same_name",
                    },
                )
                continue
            published[slot] = signature.pk
        Signature.objects.filter(pk=signature.pk).update(name_key=key)


class Migration(migrations.Migration):
    dependencies = [
        ("signatures", "0005_organization_list_orders"),
        ("moderation", "0004_duplicatesuggestion"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
