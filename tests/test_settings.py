"""Production settings fail closed."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(env_overrides: dict[str, str], *extra: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("UNDERSIGNED_")
        and k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update({"DJANGO_SETTINGS_MODULE": "undersigned.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check", *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_check(
        {"UNDERSIGNED_ALLOWED_HOSTS": "example.org", "UNDERSIGNED_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode != 0
    assert "UNDERSIGNED_SECRET_KEY is required" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = run_check({"UNDERSIGNED_SECRET_KEY": "x" * 50, "UNDERSIGNED_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "UNDERSIGNED_ALLOWED_HOSTS is required" in result.stderr


def test_a_boolean_setting_accepts_only_true_or_false(tmp_path):
    result = run_check(
        {
            "UNDERSIGNED_SECRET_KEY": "x" * 50,
            "UNDERSIGNED_ALLOWED_HOSTS": "example.org",
            "UNDERSIGNED_DEBUG": "yes",
            "UNDERSIGNED_DATA_DIR": str(tmp_path),
        }
    )
    assert result.returncode != 0
    assert "UNDERSIGNED_DEBUG must be True or False" in result.stderr


def test_configured_production_settings_pass_the_checks(tmp_path):
    result = run_check(
        {
            "UNDERSIGNED_SECRET_KEY": "x" * 50,
            "UNDERSIGNED_ALLOWED_HOSTS": "example.org",
            "UNDERSIGNED_DATA_DIR": str(tmp_path),
        }
    )
    assert result.returncode == 0, result.stderr


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        import pytest

        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_the_deploy_checks_pass_with_production_settings(tmp_path):
    env = {
        "UNDERSIGNED_SECRET_KEY": secrets.token_urlsafe(50),
        "UNDERSIGNED_ALLOWED_HOSTS": "sign.example.org",
        "UNDERSIGNED_BASE_URL": "https://sign.example.org",
        "UNDERSIGNED_BEHIND_HTTPS_PROXY": "True",
        "UNDERSIGNED_DATA_DIR": str(tmp_path),
    }
    result = run_check(env, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
