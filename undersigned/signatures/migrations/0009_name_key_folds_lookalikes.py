"""Name keys now fold look-alike letters of other scripts onto the Latin ones they imitate
(dedupe.skeleton). Recompute the keys that change. Where a published organization would then
clash with another (same name and country), it keeps its old key and the pair goes before the
owner as a duplicate: nothing changes status in a migration."""

from django.db import migrations


def refold(apps, schema_editor):
    from undersigned.signatures.dedupe import exact_key

    Signature = apps.get_model("signatures", "Signature")
    Suggestion = apps.get_model("moderation", "DuplicateSuggestion")
    rows = Signature.objects.filter(kind="organization").exclude(name_key="").order_by("pk")
    for signature in rows.only("pk", "statement_id", "name", "name_key", "country", "status"):
        key = exact_key(signature.name)
        if key == signature.name_key:
            continue
        if signature.status == "published":
            other = (
                Signature.objects.filter(
                    statement_id=signature.statement_id,
                    kind="organization",
                    status="published",
                    name_key=key,
                    country=signature.country,
                )
                .exclude(pk=signature.pk)
                .values_list("pk", flat=True)
                .first()
            )
            if other is not None:
                Suggestion.objects.get_or_create(
                    signature_id=signature.pk,
                    other_id=other,
                    defaults={
                        "statement_id": signature.statement_id,
                        "score": 100,
                        "reason": "same_name",
                    },
                )
                continue
        Signature.objects.filter(pk=signature.pk).update(name_key=key)


class Migration(migrations.Migration):
    dependencies = [
        ("signatures", "0008_signing_submissions"),
        ("moderation", "0004_duplicatesuggestion"),
    ]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
