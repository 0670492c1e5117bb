"""How long exporting a long list takes, and how much memory it needs, through the same
service as the command and the workspace (`export_statement`), on the embedded SQLite database:

- CSV and JSON of 100,000 entries (three individuals to one organization), owner scope;
- the PDF letter of 10,000 entries, in English and in Arabic (names in Latin, Arabic and
  Japanese script), public scope.

Each export runs in a process of its own, so its peak memory is that process's peak resident
set (`ru_maxrss`: Python, Django and the libraries included), not a guess. A measurement, not a
test: nothing is asserted on time. `bench/run` runs it and records the figures; alone:

    .venv/bin/python -m bench.export_timing [--out FILE]

XLSX is left out: openpyxl's write-only workbook took over 10 minutes for 100,000 rows
(bench/README.md).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.standalone import django_on_sqlite

CSV_ENTRIES = 100_000
PDF_ENTRIES = 10_000
TARGETS = {"csv": {"seconds": 5, "mb": 200}, "pdf": {"seconds": 60, "mb": 500}}
NAMES = [
    "Association des bibliothèques publiques",
    "جمعية أصدقاء المكتبة العامة",
    "東京図書館友の会",
    "Cumann Leabharlann na hÉireann",
    "Biblioteca Popular del Barrio Sur",
]


def seed(data_dir: str) -> None:
    """Two statements: `csv-bench` with CSV_ENTRIES entries, `pdf-bench` with PDF_ENTRIES."""
    django_on_sqlite(data_dir)
    from django.utils import timezone

    from undersigned.signatures.models import Signature
    from undersigned.signatures.services import statement_list_refresh
    from undersigned.statements.services import statement_create

    now = timezone.now()
    for slug, entries in (("csv-bench", CSV_ENTRIES), ("pdf-bench", PDF_ENTRIES)):
        statement = statement_create(
            slug=slug, reference=slug.upper(), state="open", signers="both",
            default_language="en", texts={
                "en": ("Evening hours for public libraries", "We ask for longer hours.\n\n"
                       "Libraries are where people read, study and meet."),
                "ar": ("ساعات مسائية للمكتبات العامة", "نطالب بساعات أطول.\n\n"
                       "المكتبات مكان للقراءة والدراسة واللقاء."),
            },
        )  # fmt: skip
        version = statement.texts.get(language="en").version
        batch = []
        for n in range(1, entries + 1):
            organization = n % 4 == 0
            batch.append(Signature(
                statement=statement, kind="organization" if organization else "individual",
                status=Signature.Status.PUBLISHED, name=f"{NAMES[n % 5]} {n}",
                country="EG" if n % 2 else "FR", show_name=True,
                name_key=f"entry {n}" if organization else "", email=f"entry{n}@example.org",
                email_normalized=f"entry{n}@example.org", language="en", text_language="en",
                text_version=version, token_nonce="x" * 32, token_expires=now,
                confirmed_at=now, published_at=now, affiliation="" if n % 3 else "University",
                contact_name="Contact person" if organization else "",
                position=n // 4 if organization else n - n // 4,
            ))  # fmt: skip
            if len(batch) == 5000:
                Signature.objects.bulk_create(batch)
                batch = []
        Signature.objects.bulk_create(batch)
        statement_list_refresh(statement_id=statement.pk)


def one(data_dir: str, fmt: str, language: str) -> dict:
    """Run one export in this process; its time, this process's peak memory and the size."""
    django_on_sqlite(data_dir, migrate=False)
    from undersigned.deliveries.services import export_statement
    from undersigned.statements.models import Statement

    slug = "pdf-bench" if fmt == "pdf" else "csv-bench"
    statement = Statement.objects.get(slug=slug)
    out = Path(data_dir) / f"out-{language}.{fmt}"
    started = time.perf_counter()
    export_statement(statement=statement, fmt=fmt, scope="public" if fmt == "pdf" else "owner",
                     language=language, out=out)  # fmt: skip
    seconds = time.perf_counter() - started
    return {
        "entries": PDF_ENTRIES if fmt == "pdf" else CSV_ENTRIES,
        "seconds": round(seconds, 1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "bytes": out.stat().st_size,
    }


def measure() -> dict:
    figures: dict = {"targets": TARGETS}
    with tempfile.TemporaryDirectory(prefix="undersigned-export-bench-") as data_dir:
        subprocess.run([sys.executable, "-m", "bench.export_timing", "--seed", data_dir],
                       check=True, timeout=300)  # fmt: skip
        for fmt, language in (("csv", "en"), ("json", "en"), ("pdf", "en"), ("pdf", "ar")):
            done = subprocess.run(
                [sys.executable, "-m", "bench.export_timing", "--one", data_dir, fmt, language],
                check=True, timeout=300, capture_output=True, text=True,
            )  # fmt: skip
            figures[f"{fmt}_{language}"] = json.loads(done.stdout.strip().splitlines()[-1])
            print(fmt, language, figures[f"{fmt}_{language}"], flush=True, file=sys.stderr)
    return figures


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--out", help="also write the figures to this JSON file")
    parser.add_argument("--seed", metavar="DATA_DIR", help=argparse.SUPPRESS)
    parser.add_argument("--one", nargs=3, metavar=("DATA_DIR", "FORMAT", "LANG"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args()
    if args.seed:
        seed(args.seed)
    elif args.one:
        print(json.dumps(one(*args.one)))
    else:
        result = measure()
        print(json.dumps(result, indent=2))
        if args.out:
            Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
