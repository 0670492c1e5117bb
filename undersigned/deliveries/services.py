"""Exporting a statement's list: the file and its signed manifest."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from undersigned.core.audit import log_action
from undersigned.deliveries import exports, letter, manifest
from undersigned.deliveries.models import Export
from undersigned.jobs.services import job_enqueue
from undersigned.signatures.selectors import tally_for
from undersigned.statements.models import Statement

MAKE_EXPORT = "deliveries.make_export"


def write_export(*, statement: Statement, fmt: str, scope: str, language: str, out: Path,
                 bom: bool = False, progress=None, paper: str = "a4",
                 texts: list[str] | None = None,
                 addressees: list[str] | None = None) -> None:  # fmt: skip
    """Write one export to `out` through a temporary file of this thread's, so a reader (or a
    second writer) never sees half a file."""
    if fmt not in exports.FORMATS or scope not in exports.SCOPES:
        raise ValueError(f"unknown format or scope: {fmt!r}, {scope!r}")
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    out = Path(out)
    partial = _partial(out)
    with partial.open("wb") as handle:
        if fmt == "csv":
            exports.write_csv(handle, statement, scope, language, bom=bom, progress=progress)
        elif fmt == "xlsx":
            exports.write_xlsx(handle, statement, scope, language, progress=progress)
        elif fmt == "json":
            exports.write_json(handle, statement, scope, language, progress=progress)
        else:
            letter.write_pdf(handle, statement, scope, language, progress, paper=paper,
                             texts=texts or (), addressees=addressees)  # fmt: skip
    os.replace(partial, out)


def write_manifest(statement: Statement, *, scope: str, files: list[Path], out: Path) -> dict:
    """Sign a manifest of `files` and write it to `out` (atomically); the signed manifest."""
    signed = manifest.sign(manifest_body(statement, scope=scope, files=files))
    partial = _partial(out)
    partial.write_text(json.dumps(signed, indent=2, ensure_ascii=False) + "\n")
    os.replace(partial, out)
    return signed


def export_statement(*, statement: Statement, fmt: str, scope: str, language: str, out: Path,
                     bom: bool = False, user: AbstractBaseUser | None = None,
                     progress=None, paper: str = "a4", texts: list[str] | None = None,
                     addressees: list[str] | None = None) -> Path:  # fmt: skip
    """Write the export to `out` and its signed manifest beside it as `out.manifest.json`; the
    manifest's path."""
    out = Path(out)
    write_export(statement=statement, fmt=fmt, scope=scope, language=language, out=out,
                 bom=bom, progress=progress, paper=paper, texts=texts,
                 addressees=addressees)  # fmt: skip
    manifest_path = out.with_name(out.name + ".manifest.json")
    signed = write_manifest(statement, scope=scope, files=[out], out=manifest_path)
    log_action(
        statement,
        "deliveries.export.made",
        user=user,
        data={
            "format": fmt,
            "scope": scope,
            "language": language,
            "sha256": signed["files"][0]["sha256"],
        },  # fmt: skip
    )
    return manifest_path


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.partial")


def manifest_body(statement: Statement, *, scope: str, files: list[Path]) -> dict:
    tally = tally_for(statement)
    return {
        "statement": {
            "slug": statement.slug,
            "reference": statement.reference,
            "url": f"{settings.BASE_URL}/{statement.default_language}/s/{statement.slug}/",
        },
        "texts": [
            {"language": t.language, "version": t.version}
            for t in statement.texts.order_by("language")
        ],
        "counts": {
            "organizations": tally.organizations,
            "individuals_named": tally.individuals_named,
            "individuals_unnamed": tally.individuals_unnamed,
        },
        "scope": scope,
        "generated": timezone.now().isoformat(),
        "files": [
            {"name": f.name, "sha256": manifest.file_digest(f), "bytes": f.stat().st_size}
            for f in files
        ],
    }


def export_folder(export: Export) -> Path:
    return Path(settings.DATA_DIR) / "exports" / str(export.statement_id)


def export_request(*, statement: Statement, fmt: str, scope: str, language: str, bom: bool,
                   user: AbstractBaseUser, paper: str = "a4",
                   texts: list[str] | None = None) -> Export:  # fmt: skip
    """Queue an export for the worker; the workspace shows its progress, then the download."""
    export = Export.objects.create(
        statement=statement, format=fmt, scope=scope, language=language, bom=bom,
        paper=paper, texts=texts or [], created_by=user,
        rows_total=exports.listed(statement).count(),  # type: ignore[misc]
    )  # fmt: skip
    job_enqueue(kind=MAKE_EXPORT, payload={"export_id": export.pk})
    return export


def export_make(*, export_id: int) -> None:
    """The worker's part: write the file and its manifest, counting rows as it goes."""
    export = Export.objects.select_related("statement", "created_by").filter(pk=export_id).first()
    if export is None or export.status == Export.Status.DONE:
        return
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING)
    folder = export_folder(export)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / export.file_name

    def progress(rows: int) -> None:
        Export.objects.filter(pk=export.pk).update(rows_done=rows)

    try:
        export_statement(
            statement=export.statement, fmt=export.format, scope=export.scope,
            language=export.language, out=out, bom=export.bom, user=export.created_by,
            progress=progress, paper=export.paper, texts=export.texts,
        )  # fmt: skip
    except Exception as error:
        Export.objects.filter(pk=export.pk).update(
            status=Export.Status.FAILED, error=type(error).__name__, finished=timezone.now()
        )
        raise
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.DONE,
        sha256=manifest.file_digest(out),
        size=out.stat().st_size,
        rows_done=export.rows_total,
        finished=timezone.now(),
    )


def public_list_file(*, statement: Statement, fmt: str, language: str) -> Path:
    """The public list as a file, with its manifest beside it: made once per list refresh and
    language (the name carries the refresh time), then served as it is."""
    tally = tally_for(statement)
    stamp = (tally.refreshed or statement.created).strftime("%Y%m%dT%H%M%S%f")
    folder = Path(settings.DATA_DIR) / "public" / str(statement.pk)
    out = folder / f"{statement.slug}-{language}-{stamp}.{fmt}"
    if not (out.exists() and out.with_name(out.name + ".manifest.json").exists()):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{statement.slug}-{language}-*.{fmt}*"):
            if not old.name.startswith(out.name):
                old.unlink(missing_ok=True)
        export_statement(statement=statement, fmt=fmt, scope="public", language=language, out=out)
    return out
