"""The preview of a list before it is imported: one row per entry, with what to look at."""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext as _
from django_countries import countries

from undersigned.imports.models import ImportBatch
from undersigned.imports.parser import INDIVIDUAL, Parsed
from undersigned.imports.services import existing_matches
from undersigned.signatures.dedupe import exact_key
from undersigned.signatures.models import Signature
from undersigned.statements.models import Statement


def _imported_people(statement: Statement) -> dict[tuple[str, str], tuple[str, int | None]]:
    """People imported into this statement before and still listed, by folded name and
    country. (People who signed on the platform confirmed their own address: a namesake in a
    list is not taken for them.)"""
    rows = Signature.objects.filter(
        import_batch__statement=statement,
        kind=Signature.Kind.INDIVIDUAL,
        status=Signature.Status.PUBLISHED,
    ).values_list("name", "country", "position")
    return {(exact_key(name), country): (name, position) for name, country, position in rows}


def preview_rows(statement: Statement, parsed: Parsed, default_country: str = "") -> list[dict]:
    """The initial data of the preview's rows. A row is unticked when it is, name and country
    alike, an organization already on the statement's list or earlier in this list: importing
    it would be refused (the owner can tick it again after correcting it)."""
    entries = [replace(e, country=e.country or default_country or None) for e in parsed.entries]
    found = existing_matches(statement, entries)
    positions = dict(
        Signature.objects.filter(
            pk__in=[e.signature_id for matches in found.values() for e in matches]
        ).values_list("pk", "position")
    )
    people = _imported_people(statement) if any(e.kind == INDIVIDUAL for e in entries) else {}
    seen: set[tuple[str, str]] = set()
    rows = []
    for index, entry in enumerate(entries):
        notes = [
            note.message(entries)
            for note in parsed.notes
            if note.line == entry.line
            and (note.code not in ("duplicate", "person") or note in entry.notes)
        ]
        include = True
        key = (exact_key(entry.name), entry.country or "")
        if key in seen:
            include = False
            notes.append(_("the same name and country as an entry above: left out"))
        seen.add(key)
        if entry.kind == INDIVIDUAL and key in people:
            name, number = people[key]
            include = False
            notes.append(
                _("already on the list as %(entry)s: left out")
                % {"entry": f"#{number} «{name}»" if number else f"«{name}»"}
            )
        for existing in found.get(index, []):
            number = positions.get(existing.signature_id)
            label = f"#{number} " if number else ""
            if existing.exact:
                include = False
                notes.append(
                    _("already on the list as %(entry)s: left out")
                    % {"entry": f"{label}«{existing.name}»"}
                )
            else:
                notes.append(
                    _("possible duplicate of %(entry)s, already on the list")
                    % {"entry": f"{label}«{existing.name}»"}
                )
        rows.append(
            {
                "include": include,
                "name": entry.name,
                "acronym": entry.acronym or "",
                "kind": entry.kind,
                # Shown by name, in the page's language; the form takes names or codes.
                "country": countries.name(entry.country) if entry.country else "",
                "source_number": entry.source_number,
                "notes": "\n".join(notes),
            }
        )
    return rows


def unpublished_imports(statement: Statement) -> list[ImportBatch]:
    """The statement's imports kept off the public list, newest first."""
    return list(
        ImportBatch.objects.filter(statement=statement, published_at__isnull=True)
        .select_related("created_by")
        .order_by("-created")
    )
