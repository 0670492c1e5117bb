"""Where the CPU goes per signature, against the baseline `bench/run` uses: the signing path on
the platform's server (with its worker, which records and mails every signature) and the
minimal app (`bench/minimal`) on its own server, same settings, in alternating rounds of a
closed-loop load of 32 signers on 127.0.0.1:

    .venv/bin/python -m bench.cpu postgresql      # or sqlite
    .venv/bin/python -m bench.cpu sqlite 5 4      # five rounds of 4 seconds per path

Reads each process's user+system time from /proc before and after each phase (Linux only),
in five groups: the platform's app servers, the minimal app's, PostgreSQL's processes, the
worker, and the load generator (this process). Each phase ends once the worker has recorded
and mailed what it took, so a signature's whole cost counts against its own phase, as in
`bench/run`'s sustained figure. Alternating short phases puts both paths on the machine in
the same state: a single sample of one path moves by a third within minutes on a shared VM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from bench import main as bench

PATHS = {"signing": "/en/s/bench/sign/individual/", "minimal app": "/sign/"}
# A process's group, by what its command line holds (the first that matches); the load
# generator is this process.
GROUPS = {
    "app servers": "undersigned.wsgi",
    "minimal app": "bench.minimal.wsgi",
    "PostgreSQL": "postgres: ",  # the server's processes name themselves so
    "worker": "run_worker",
}
LOAD = "load"


def _cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far by each group's processes that are still running."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat, open(f"/proc/{pid}/cmdline") as cmdline:
                fields, command = stat.read().rpartition(")")[2].split(), cmdline.read()
        except OSError:
            continue
        if int(pid) == os.getpid():
            group = LOAD
        else:
            group = next((name for name, mark in GROUPS.items() if mark in command), None)
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
    servers = {"signing": bench.free_port(), "minimal app": bench.free_port()}
    processes = bench.Processes(env)
    columns = [*GROUPS, LOAD]
    signatures = dict.fromkeys(PATHS, 0)
    elapsed = dict.fromkeys(PATHS, 0.0)
    used = {name: dict.fromkeys(columns, 0.0) for name in PATHS}

    def load(name: str, seconds: float, most: int):
        base = [f"http://127.0.0.1:{servers[name]}"]
        return asyncio.run(
            sign_load(base, PATHS[name], concurrency=32, seconds=seconds, max_signatures=most)
        )

    try:
        processes.start_server(servers["signing"])
        processes.start_worker()
        processes.start_minimal(servers["minimal app"])
        for name in PATHS:  # warm up both
            load(name, 2, 5000)
        bench.wait_for_empty_queue()
        for _ in range(rounds):
            for name in PATHS:
                before = _cpu_seconds()
                result = load(name, seconds, 20000)
                bench.wait_for_empty_queue()  # this phase's emails count against this phase
                after = _cpu_seconds()
                signatures[name] += result.ok
                elapsed[name] += result.elapsed
                for group in columns:
                    used[name][group] += after.get(group, 0.0) - before.get(group, 0.0)
    finally:
        processes.kill(signal.SIGTERM)
    print(f"{database}, {rounds} rounds of {seconds:g} s per path, CPU per signature (ms):")
    print(f"  {'path':12s} {'per s':>7s}" + "".join(f" {g:>12s}" for g in columns) + "   total")
    for name in PATHS:
        count = max(signatures[name], 1)
        row = [used[name][group] / count * 1000 for group in columns]
        print(
            f"  {name:12s} {signatures[name] / elapsed[name]:7.1f}"
            + "".join(f" {ms:12.2f}" for ms in row)
            + f" {sum(row):7.2f}"
        )
    rates = [signatures[name] / elapsed[name] for name in PATHS]
    print(f"  ratio {rates[0] / rates[1]:.3f}")


if __name__ == "__main__":
    main()
