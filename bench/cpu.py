"""Where the CPU goes per signature: the app servers, the database server and the worker,
for the signing path and the one-INSERT view side by side on one server (the settings of
`bench/run`), in alternating rounds of a closed-loop load of 32 signers on 127.0.0.1:

    .venv/bin/python -m bench.cpu postgresql      # or sqlite
    .venv/bin/python -m bench.cpu sqlite 5 4      # five rounds of 4 seconds per path

Reads each process's user+system time from /proc before and after each phase (Linux only).
Alternating short phases, as `bench/run` does, puts both paths on the machine in the same
state: a single sample of one path moves by a third within minutes on a shared VM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from bench import main as bench

PATHS = {"signing": "/en/s/bench/sign/individual/", "one-INSERT": "/bench/baseline/"}
GROUPS = ("gunicorn", "postgres", "run_worker")


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
        group = next((name for name in GROUPS if name in command), None)
        if group:
            totals[group] = totals.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return totals


def main() -> None:
    database = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 4.0
    env = bench.setup_database(database)
    from bench.load import sign_load

    bench.statement("bench")
    port = bench.free_port()
    processes = bench.Processes(env)
    base = [f"http://127.0.0.1:{port}"]
    signatures = dict.fromkeys(PATHS, 0)
    elapsed = dict.fromkeys(PATHS, 0.0)
    used = {name: dict.fromkeys(GROUPS, 0.0) for name in PATHS}
    try:
        processes.start_server(port)
        processes.start_worker()
        for path in PATHS.values():  # warm up both
            asyncio.run(sign_load(base, path, concurrency=32, seconds=2, max_signatures=5000))
        bench.wait_for_empty_queue()
        for _ in range(rounds):
            for name, path in PATHS.items():
                before = _cpu_seconds()
                result = asyncio.run(
                    sign_load(base, path, concurrency=32, seconds=seconds, max_signatures=20000)
                )
                bench.wait_for_empty_queue()  # this phase's emails count against this phase
                after = _cpu_seconds()
                signatures[name] += result.ok
                elapsed[name] += result.elapsed
                for group in GROUPS:
                    used[name][group] += after.get(group, 0.0) - before.get(group, 0.0)
    finally:
        processes.kill(signal.SIGTERM)
    print(f"{database}, {rounds} rounds of {seconds:g} s per path, CPU per signature:")
    print(f"  {'path':12s} {'per s':>7s}" + "".join(f" {group:>11s}" for group in GROUPS))
    for name in PATHS:
        count = max(signatures[name], 1)
        print(
            f"  {name:12s} {signatures[name] / elapsed[name]:7.1f}"
            + "".join(f" {used[name][group] / count * 1000:8.2f} ms" for group in GROUPS)
        )
    rates = [signatures[name] / elapsed[name] for name in PATHS]
    print(f"  ratio {rates[0] / rates[1]:.3f}")


if __name__ == "__main__":
    main()
