import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from undersigned.imports.files import UnreadableList, read_list
from undersigned.imports.services import ImportRefused, signatures_import
from undersigned.statements.models import Statement


class Command(BaseCommand):
    help = (
        "Read a signatory list (text, CSV or XLSX) and import it into a statement, all or "
        "nothing. With --dry-run nothing is stored; with --json the parse is printed as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--statement", required=True, help="the statement's slug")
        parser.add_argument("--dry-run", action="store_true", help="parse only; store nothing")
        parser.add_argument("--json", action="store_true", help="print the parse as JSON")
        parser.add_argument(
            "--unpublished",
            action="store_true",
            help="keep the entries off the public list until the import is published",
        )

    def handle(self, *args, **options):
        try:
            statement = Statement.objects.get(slug=options["statement"])
        except Statement.DoesNotExist:
            raise CommandError(f"no statement with the slug {options['statement']!r}") from None
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        try:
            parsed = read_list(data, path.name)
        except UnreadableList as error:
            raise CommandError(error.message) from None
        if options["json"]:
            self.stdout.write(json.dumps(parsed.as_json(), ensure_ascii=False, indent=2))
        else:
            for index, entry in enumerate(parsed.entries):
                number = f"{entry.source_number}." if entry.source_number else "-"
                acronym = f" ({entry.acronym})" if entry.acronym else ""
                self.stdout.write(f"[{index}] {number} {entry.name}{acronym} · {entry.kind}")
            for warning in parsed.warnings():
                self.stdout.write(f"warning: {warning}")
            self.stdout.write(f"{len(parsed.entries)} entries read ({parsed.encoding})")
        if options["dry_run"]:
            return
        try:
            batch = signatures_import(
                statement=statement,
                entries=parsed.entries,
                actor_label="import_signatories",
                source_name=path.name,
                encoding=parsed.encoding,
                publish=not options["unpublished"],
            )
        except ImportRefused as error:
            raise CommandError(str(error)) from None
        self.stderr.write(
            f"imported {batch.count} entries into {statement.slug} (import #{batch.pk})"
        )
