"""How long exporting a long list takes, and how much memory it needs: CSV and JSON of 100,000
entries (organizations and individuals), through the same service as the command and the
workspace, on the test database (SQLite). XLSX is left out: it did not finish 100,000 rows
within the 10-minute bound of this run (recorded in bench/README.md). A measurement, not a
test: nothing is asserted on time. Run it with

    .venv/bin/python -m pytest -q -s -p no:randomly bench/export_timing.py

Peak memory is Python's (tracemalloc) while the export runs, the rows being read in chunks.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest
from django.utils import timezone

from tests.factories import make_statement
from undersigned.deliveries.services import export_statement
from undersigned.signatures.models import Signature

ENTRIES = 100_000


@pytest.mark.django_db
def test_export_timing(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    statement = make_statement()
    now = timezone.now()
    text = statement.texts.get(language="en")
    batch = []
    for n in range(1, ENTRIES + 1):
        organization = n % 4 == 0
        batch.append(
            Signature(
                statement=statement,
                kind="organization" if organization else "individual",
                status=Signature.Status.PUBLISHED,
                name=f"{'Association' if organization else 'Person'} number {n}",
                country="FR",
                show_name=True,
                name_key=f"association number {n}" if organization else "",
                email=f"entry{n}@example.org",
                email_normalized=f"entry{n}@example.org",
                language="en",
                text_language="en",
                text_version=text.version,
                token_nonce="x" * 32,
                token_expires=now,
                confirmed_at=now,
                published_at=now,
                position=n // 4 if organization else n - n // 4,
            )
        )
    Signature.objects.bulk_create(batch, batch_size=5000)
    for fmt in ("csv", "json"):
        out = tmp_path / f"list.{fmt}"
        started = time.perf_counter()
        export_statement(statement=statement, fmt=fmt, scope="owner", language="en", out=out)
        seconds = time.perf_counter() - started
        # Memory in a second run: tracing slows Python down, so it is not timed.
        tracemalloc.start()
        export_statement(statement=statement, fmt=fmt, scope="owner", language="en", out=out)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"\n{fmt}: {ENTRIES} entries in {seconds:.1f} s, peak Python memory "
            f"{peak / 2**20:.0f} MiB, {out.stat().st_size / 2**20:.1f} MiB written"
        )
