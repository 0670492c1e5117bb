"""Importing a signatory list: all or nothing, each entry published with its source."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from undersigned.core.audit import audit_entry, log_action
from undersigned.core.models import AuditEntry
from undersigned.imports.models import ImportBatch
from undersigned.imports.parser import INDIVIDUAL, ORGANIZATION, Entry
from undersigned.moderation.selectors import IMPORT_HELD
from undersigned.signatures.dedupe import Candidate, Match, matches_against
from undersigned.signatures.models import Signature
from undersigned.signatures.services import (
    SignerDetails,
    enqueue_refresh,
    signature_build,
    signatures_approve,
    suggest_duplicates,
)
from undersigned.signatures.trust import listed_organizations
from undersigned.statements.models import Statement
from undersigned.statements.selectors import statement_text_for


class ImportRefused(ValueError):
    """Nothing was imported; `entry` (an index) names the entry at fault, if one is."""

    def __init__(self, message: str, entry: int | None = None):
        super().__init__(message)
        self.entry = entry


@dataclass(frozen=True)
class Existing:
    """What an entry of a list matches among the statement's organizations already listed."""

    signature_id: int
    name: str
    match: Match

    @property
    def exact(self) -> bool:
        return self.match.reason == "same_name" and self.match.score == 100


def existing_matches(statement: Statement, entries: list[Entry]) -> dict[int, list[Existing]]:
    """For each organization entry (by index), the listed organizations it probably is."""
    new = [
        Candidate(ref=i, name=e.name, acronym=e.acronym or "", country=e.country or "")
        for i, e in enumerate(entries)
        if e.kind == ORGANIZATION
    ]
    found = matches_against(new, listed_organizations(statement.pk))
    return {i: [Existing(c.ref, c.name, m) for c, m in pairs] for i, pairs in found.items()}


def signatures_import(
    *,
    statement: Statement,
    entries: list[Entry],
    user: User | None = None,
    actor_label: str = "",
    source_name: str = "",
    encoding: str = "",
    publish: bool = True,
) -> ImportBatch:
    """Import the entries of a list, in one transaction: every one or none. Published at once,
    or (`publish=False`) kept off the list, waiting in review, until the owner publishes the
    batch (`import_batch_publish`). An organization whose name (case, accents and punctuation
    aside) and country are on the list already is refused by the database, and then the whole
    import with it."""
    if not entries:
        raise ImportRefused(_("There is nothing to import."))
    choice = statement_text_for(statement, statement.default_language)
    if choice is None:
        raise ImportRefused(_("The statement has no text yet."))
    matches = existing_matches(statement, entries)
    now = timezone.now()
    batch_user = user if user is not None and user.is_authenticated else None
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                statement=statement,
                created_by=user if user is not None and user.is_authenticated else None,
                created_by_label=actor_label,
                source_name=source_name[:200],
                encoding=encoding,
                count=len(entries),
                published_at=now if publish else None,
                published_by=batch_user if publish else None,
            )
            rows = [
                signature_build(
                    statement=statement,
                    details=SignerDetails(
                        kind=entry.kind
                        if entry.kind in (ORGANIZATION, INDIVIDUAL)
                        else ORGANIZATION,
                        name=entry.name[:200],
                        acronym=(entry.acronym or "")[:30],
                        country=entry.country or "",
                        affiliation=entry.affiliation[:200],
                        email="",
                        show_name=True,
                    ),
                    language=statement.default_language,
                    text_language=choice.text.language,
                    text_version=choice.text.version,
                    status=Signature.Status.PUBLISHED if publish else Signature.Status.IN_REVIEW,
                    flags="" if publish else IMPORT_HELD,
                    source=Signature.Source.IMPORT,
                    import_batch=batch,
                    token_nonce="",
                    token_expires=now,
                    published_at=now if publish else None,
                )
                for index, entry in enumerate(entries)
            ]
            for row in rows:
                row.save(force_insert=True)
            AuditEntry.objects.bulk_create(
                [
                    audit_entry(
                        row,
                        "signatures.signature.imported",
                        user=batch.created_by,
                        actor_label=actor_label,
                        data={"import": batch.pk, "source_number": entries[i].source_number},
                    )
                    for i, row in enumerate(rows)
                ]
            )
            for index, found in matches.items():
                suggest_duplicates(
                    rows[index],
                    [(Candidate(ref=e.signature_id, name=e.name), e.match) for e in found],
                )
            log_action(
                statement,
                "imports.list.imported",
                user=user,
                actor_label=actor_label,
                data={
                    "import": batch.pk,
                    "count": len(rows),
                    "source": source_name[:200],
                    "published": publish,
                },
            )
            if publish:
                enqueue_refresh(statement.pk)
    except IntegrityError:
        duplicate = next((i for i, found in matches.items() if any(e.exact for e in found)), None)
        raise ImportRefused(
            _(
                "An organization appears twice under the same name and country (in this list, "
                "or in this list and on the statement's list). Nothing was imported: untick "
                "the duplicate and import again."
            ),
            entry=duplicate,
        ) from None
    return batch


def import_batch_publish(*, batch: ImportBatch, user: User) -> int:
    """Put an import kept off the list on it, as one audited action: every entry of the batch
    still waiting is approved (one left in review when its organization is on the list under
    the same name already: the owner merges the two). The number published."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.published_at is not None:
            return 0
        waiting = batch.signatures.filter(status=Signature.Status.IN_REVIEW)
        published = signatures_approve(
            signatures=list(waiting), user=user, reason=f"published with import #{batch.pk}"
        )
        batch.published_at = timezone.now()
        batch.published_by = user
        batch.save(update_fields=["published_at", "published_by"])
        log_action(
            batch.statement,
            "imports.batch.published",
            user=user,
            data={"import": batch.pk, "count": published},
        )
    return published
