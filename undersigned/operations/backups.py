"""Running PostgreSQL's own tools on the configured database."""

from __future__ import annotations

import os
import subprocess

from django.core.management.base import CommandError
from django.db import connection


def pg_command(command: list[str], *, database_flag: str = "--dbname") -> None:
    """Run a PostgreSQL client tool on the platform's database (credentials through the
    environment, never on the command line)."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "PGHOST": str(db.get("HOST") or ""),
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": str(db.get("USER") or ""),
        "PGPASSWORD": str(db.get("PASSWORD") or ""),
    }
    try:
        done = subprocess.run(
            [*command, database_flag, str(db["NAME"])],
            env={k: v for k, v in env.items() if v},
            capture_output=True,
            text=True,
            timeout=3600,
        )
    except FileNotFoundError:
        raise CommandError(f"{command[0]} is not installed (Debian: postgresql-client)") from None
    if done.returncode != 0:
        raise CommandError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")
