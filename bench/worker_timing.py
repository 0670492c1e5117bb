"""The worker's two steps under a backlog, timed apart, in one process: recording N waiting
signing submissions as signatures (`submissions_take`, batches of 100) and then running their
confirmation-email jobs (file backend), on the benchmark's SQLite or PostgreSQL database. The
submissions come from N different networks and 500 domains, so no abuse limit holds their
emails back. A measurement, not a test (issue 21, points 2 and 4). Alone:

    .venv/bin/python -m bench.worker_timing [sqlite|postgresql] [N] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench import main as bench

BATCH = 100


def measure(database: str, count: int) -> dict:
    bench.setup_database(database)
    from undersigned.jobs.services import jobs_claim, jobs_run
    from undersigned.signatures.services import SignerDetails, submission_create, submissions_take

    statement = bench.statement("worker")
    text = statement.texts.get(language="en")
    for n in range(count):
        submission_create(
            statement=statement, text=text, language="en",
            ip=f"10.{n // 256 % 256}.{n % 256}.1",
            details=SignerDetails(kind="individual", name=f"Reader {n}", country="FR",
                                  email=f"reader{n}@d{n % 500}.bench.example.org",
                                  show_name=True),
        )  # fmt: skip
    started = time.perf_counter()
    recorded = 0
    while taken := submissions_take(limit=BATCH):
        recorded += taken
    record_s = time.perf_counter() - started
    started = time.perf_counter()
    mailed = 0
    while jobs := jobs_claim(limit=BATCH):
        jobs_run(jobs)
        mailed += len(jobs)
    mail_s = time.perf_counter() - started
    return {
        "database": database,
        "submissions": count,
        "recorded": recorded,
        "record_s": round(record_s, 2),
        "recorded_per_s": round(recorded / record_s, 1),
        "jobs_run": mailed,
        "mail_s": round(mail_s, 2),
        "mailed_per_s": round(mailed / mail_s, 1) if mail_s else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database", nargs="?", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("count", nargs="?", type=int, default=5000)
    parser.add_argument("--out", help="also write the figures to this JSON file")
    args = parser.parse_args()
    figures = json.dumps(measure(args.database, args.count))
    if args.out:
        Path(args.out).write_text(figures)
    print(figures)


if __name__ == "__main__":
    main()
