"""bin/manage export_statement SLUG --format csv|xlsx|json|pdf [--language LANG]
[--scope public|owner] [--bom] [--paper a4|letter] [--texts LANG,LANG] --out PATH

Write a statement's list to PATH and its signed manifest to PATH.manifest.json."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from undersigned.deliveries.exports import FORMATS, SCOPES
from undersigned.deliveries.letter import PAPERS
from undersigned.deliveries.services import export_statement
from undersigned.statements.models import Statement


class Command(BaseCommand):
    help = "Export a statement's list (CSV, XLSX, JSON, or the PDF letter) with a signed manifest."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--language", help="of the headings and country names")
        parser.add_argument("--scope", default="public", choices=SCOPES)
        parser.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 BOM")
        parser.add_argument("--paper", default="a4", choices=sorted(PAPERS), help="PDF")
        parser.add_argument("--texts", default="", help="PDF: languages of the text, e.g. en,ar")
        parser.add_argument("--out", required=True)

    def handle(self, *args, **options):
        statement = Statement.objects.filter(slug=options["slug"]).first()
        if statement is None:
            raise CommandError(f"no statement {options['slug']!r}", returncode=2)
        language = options["language"] or statement.default_language
        if language not in dict(settings.LANGUAGES):
            raise CommandError(f"{language!r} is not a language of this site", returncode=2)
        texts = [code for code in options["texts"].split(",") if code]
        unknown = set(texts) - set(statement.texts.values_list("language", flat=True))
        if unknown:
            raise CommandError(f"the statement has no text in {sorted(unknown)}", returncode=2)
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"{out.parent} is not a directory", returncode=2)
        manifest = export_statement(
            statement=statement,
            fmt=options["format"],
            scope=options["scope"],
            language=language,
            out=out,
            bom=options["bom"],
            paper=options["paper"],
            texts=texts,
        )
        self.stdout.write(f"{out}\n{manifest}")
