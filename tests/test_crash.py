"""Crash (long): SIGKILL of every server and worker process during 200 concurrent signs.

Runs the benchmark's crash mode (bench/main.py --crash-only) against real gunicorn processes on
its own database of the kind this suite runs on. Left out of the default run; `bin/test -m
long` runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.long


def test_every_acknowledged_signature_survives_a_kill_9_once_with_its_email_job(tmp_path):
    database = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    out = tmp_path / "crash.json"
    subprocess.run(
        [sys.executable, "-m", "bench.main", "--database", database, "--crash-only", "--out", out],
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    report = json.loads(out.read_text())
    assert report["acked_at_kill"] > 0  # the kill came in the middle of the burst...
    assert report["failed_requests"] > 0  # ...and cut some requests off
    assert report["acked"] == report["acked_total"] > 0
    assert (report["lost_acks"], report["duplicates"], report["missing_email_jobs"]) == (0, 0, 0)
    assert report["submissions_left"] == 0


def test_a_database_crash_mid_burst_loses_no_acknowledged_signature(tmp_path):
    """PostgreSQL stopped with -m immediate while 200 signers are in flight, then started:
    no request answered 2xx is missing a row afterwards (bench/main.py run_db_crash checks
    fsync and synchronous_commit first and starts the server again whatever happens)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's crash")
    out = tmp_path / "db-crash.json"
    try:
        subprocess.run(
            [
                sys.executable, "-m", "bench.main", "--database", "postgresql",
                "--db-crash-only", "--out", out,
            ],
            cwd=ROOT,
            check=True,
            timeout=300,
        )  # fmt: skip
    finally:
        # Whatever happened, the server runs again and this process reconnects.
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            capture_output=True,
        )
        connection.close()
    report = json.loads(out.read_text())
    assert (report["fsync"], report["synchronous_commit"]) == ("on", "on")
    assert report["acked_at_crash"] > 0 and report["failed_requests"] > 0
    assert report["acked"] == report["acked_total"] > report["acked_at_crash"]
    assert (report["lost_acks"], report["duplicates"], report["missing_email_jobs"]) == (0, 0, 0)
    assert report["submissions_left"] == 0
