"""Read a snapshot made by `backup` back into the database, replacing what it holds. Stop the
web processes and the worker first: what they write meanwhile is lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from undersigned.operations.backups import pg_command

SQLITE_HEADER = b"SQLite format 3\x00"


class Command(BaseCommand):
    help = "Replace the database's content with a snapshot made by `backup`."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--yes", action="store_true", help="confirm: the database's current content is lost"
        )

    def handle(self, *args, path: str, yes: bool, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"no backup at {source}")
        if not yes:
            raise CommandError("this replaces everything in the database: add --yes to go on")
        if connection.vendor == "sqlite":
            with source.open("rb") as file:
                if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                    raise CommandError(f"{source} is not a SQLite backup")
            connection.ensure_connection()
            snapshot = sqlite3.connect(source)
            try:
                snapshot.backup(connection.connection)
            finally:
                snapshot.close()
        elif connection.vendor == "postgresql":
            pg_command(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    str(source),
                ],
                database_flag="--dbname",
            )
        else:
            raise CommandError(f"no restore for {connection.vendor}")
        self.stdout.write(f"restored from {source}")
