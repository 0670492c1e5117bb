"""Django in this process on a fresh embedded SQLite database in `data_dir`, with the production
settings (DEBUG on only for the secret key), migrated: what the in-process measurements
(export_timing, api_timing, mail_timing) run on."""

from __future__ import annotations

import os


def django_on_sqlite(data_dir: str, *, migrate: bool = True, **env: str) -> None:
    for name in ("DATABASE_URL", "UNDERSIGNED_EMAIL_HOST"):
        os.environ.pop(name, None)
    os.environ.update(
        UNDERSIGNED_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="undersigned.settings",
        UNDERSIGNED_DEBUG="1", UNDERSIGNED_SECRET_KEY="bench-in-process-" + "x" * 40, **env,
    )  # fmt: skip
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
