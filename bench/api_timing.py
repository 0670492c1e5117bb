"""What a reader polling the counts through the API costs the server, against a view of the
statement page (the cost the issue compares it with): both through the whole Django stack in
one process (middleware, view, rendering or serializing), on the embedded SQLite database with
a statement of 10,000 signatures, 2,000 requests each after a warm-up, median and 95th
percentile. Also the API's answer to a client that sends the ETag it has (304). A measurement,
not a test. `bench/run` runs it; alone:

    .venv/bin/python -m bench.api_timing [--out FILE]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.standalone import django_on_sqlite

REQUESTS = 2000
SIGNATURES = 10_000


def measure() -> dict:
    with tempfile.TemporaryDirectory(prefix="undersigned-api-bench-") as data_dir:
        django_on_sqlite(data_dir, UNDERSIGNED_API_PER_MINUTE=str(10 * REQUESTS))
        from django.test import Client

        from bench.seed import seed_to
        from undersigned.statements.services import statement_create

        statement = statement_create(
            slug="api-bench", reference="API-BENCH", state="open", signers="both",
            default_language="en", goal=20_000,
            texts={"en": ("Evening hours for public libraries", "We ask for longer hours.")},
        )  # fmt: skip
        seed_to(statement, SIGNATURES)
        client = Client(HTTP_HOST="127.0.0.1")
        cases = {
            "statement_page": ("/en/s/api-bench/", {}),
            "api_counts": ("/api/v1/statements/api-bench/counts", {}),
        }
        etag = client.get(cases["api_counts"][0])["ETag"]
        cases["api_counts_not_modified"] = (cases["api_counts"][0], {"HTTP_IF_NONE_MATCH": etag})
        figures: dict = {"signatures": SIGNATURES, "requests": REQUESTS}
        for name, (url, headers) in cases.items():
            for _ in range(50):
                client.get(url, **headers)
            times = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                response = client.get(url, **headers)
                times.append(time.perf_counter() - started)
            assert response.status_code in (200, 304), (name, response.status_code)
            times.sort()
            figures[name] = {
                "status": response.status_code,
                "median_ms": round(statistics.median(times) * 1000, 3),
                "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 3),
                "bytes": len(response.content),
            }
            print(name, figures[name], file=sys.stderr, flush=True)
        return figures


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--out", help="also write the figures to this JSON file")
    args = parser.parse_args()
    result = measure()
    print(json.dumps(result, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
