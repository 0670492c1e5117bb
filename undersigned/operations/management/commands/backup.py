"""Write a consistent snapshot of the database while the platform runs: SQLite's online
backup API (one step, so the copy is of one moment), or pg_dump on PostgreSQL (one
transaction's snapshot)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from undersigned.operations.backups import pg_command


class Command(BaseCommand):
    help = "Write a consistent snapshot of the database to PATH while the platform runs."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the file to write (replaced if it exists)")

    def handle(self, *args, path: str, **options):
        target = Path(path)
        if target.is_dir():
            raise CommandError(f"{target} is a folder: name the file to write")
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            copy = sqlite3.connect(partial)
            try:
                connection.connection.backup(copy)  # all pages in one step: one moment
            finally:
                copy.close()
        elif connection.vendor == "postgresql":
            pg_command(["pg_dump", "--format=custom", "--no-owner", "--file", str(partial)])
        else:
            raise CommandError(f"no backup for {connection.vendor}")
        partial.replace(target)  # a finished snapshot, or none: never half a file
        self.stdout.write(f"backup written to {target} ({target.stat().st_size} bytes)")
