"""Where the CPU goes per signature: the app servers, the database server and the worker,
during one 10-second closed-loop load of 32 signers on 127.0.0.1 (the server settings of
`bench/run`). Compare the signing path with the one-INSERT view:

    .venv/bin/python -m bench.cpu postgresql                   # the signing path
    .venv/bin/python -m bench.cpu postgresql /bench/baseline/  # the one-INSERT view

Reads each process's user+system time from /proc before and after the load (Linux only).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from bench import main as bench


def _cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far by the app servers, the worker and PostgreSQL."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat, open(f"/proc/{pid}/cmdline") as cmdline:
                fields, command = stat.read().rpartition(")")[2].split(), cmdline.read()
        except OSError:
            continue
        group = next(
            (name for name in ("gunicorn", "run_worker", "postgres") if name in command), None
        )
        if group:
            totals[group] = totals.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return totals


def main() -> None:
    database = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    path = sys.argv[2] if len(sys.argv) > 2 else "/en/s/bench/sign/individual/"
    env = bench.setup_database(database)
    from bench.load import sign_load

    bench.statement("bench")
    port = bench.free_port()
    processes = bench.Processes(env)
    base = [f"http://127.0.0.1:{port}"]
    try:
        processes.start_server(port)
        processes.start_worker()
        asyncio.run(sign_load(base, path, concurrency=32, seconds=3, max_signatures=5000))
        before = _cpu_seconds()
        result = asyncio.run(
            sign_load(base, path, concurrency=32, seconds=10, max_signatures=20000)
        ).summary()
        after = _cpu_seconds()
    finally:
        processes.kill(signal.SIGTERM)
    print(f"{database} {path}: {result['per_s']} a second, p99 {result['p99_ms']} ms")
    for group, seconds in sorted(after.items()):
        used = seconds - before.get(group, 0.0)
        print(f"  {group:10s} {used / result['signatures'] * 1000:5.2f} ms of CPU per signature")


if __name__ == "__main__":
    main()
