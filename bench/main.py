"""The benchmark: `bench/run` (see bench/README.md). Loopback only; every loop is bounded.

Without `--database` it runs each database in a child process (SQLite, then PostgreSQL when one
answers at 127.0.0.1:5432) and writes results/latest.json and RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = RESULTS / "tmp"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_URL = "postgres://postgres@127.0.0.1:5432/undersigned_bench"

# The production server, exactly as the README runs it (only the port differs).
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "4"))
WEB_THREADS = int(os.environ.get("BENCH_WEB_THREADS", "2"))
CONCURRENCY = 32
# Short phases, alternated often: the machine's speed drifts by a third within a minute on
# a shared VM, and a drift falls on both paths alike only when they take turns quickly.
PHASE_SECONDS = 5.0
ROUNDS = 4
MAX_PER_PHASE = 20_000
# Far longer than the worker's surge hold (UNDERSIGNED_SURGE_HOLD_SECONDS, 10 s): the worker
# records while the surge goes on.
SUSTAINED_SECONDS = 70.0
PAGE_SIZES = [0, 10_000, 100_000, 1_000_000]
PAGE_SECONDS = 7


def server_command(port: int, workers: int = WEB_WORKERS,
                   app: str = "undersigned.wsgi:application") -> list[str]:  # fmt: skip
    return [
        sys.executable, "-m", "gunicorn", app,
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(WEB_THREADS),
        "--worker-class", "gthread", "--graceful-timeout", "5", "--log-level", "warning",
        "--no-control-socket",
    ]  # fmt: skip


class Processes:
    """App servers and the job worker, each in its own process group so a crash kills it all."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.children: list[subprocess.Popen] = []

    def start_server(self, port: int, workers: int = WEB_WORKERS) -> None:
        self._spawn(server_command(port, workers))
        wait_until_up(f"http://127.0.0.1:{port}/en/")

    def start_minimal(self, port: int) -> None:
        """The baseline: the minimal app (bench/minimal), with the same gunicorn settings."""
        self._spawn(
            server_command(port, app="bench.minimal.wsgi:application"),
            env=self.env | {"DJANGO_SETTINGS_MODULE": "bench.minimal.settings"},
        )
        wait_until_up(f"http://127.0.0.1:{port}/sign/")

    def start_worker(self) -> None:
        self._spawn([sys.executable, "manage.py", "run_worker"])  # as the README runs it

    def _spawn(self, command: list[str], env: dict[str, str] | None = None) -> None:
        log = open(WORK / "processes.log", "ab")  # noqa: SIM115 (closed with the process)
        self.children.append(
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=env or self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )  # fmt: skip
        )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        for child in self.children:
            try:
                os.killpg(child.pid, sig)
            except ProcessLookupError:
                pass
        for child in self.children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        self.children = []


def wait_for_empty_queue(limit: float = 90) -> float:
    """Seconds until the worker has recorded every signing submission and run every job that
    is due (bounded by `limit`); periodic jobs queued for later do not count."""
    from django.utils import timezone

    from undersigned.jobs.models import Job
    from undersigned.signatures.models import Submission

    started = time.monotonic()
    while time.monotonic() - started < limit:
        due = Job.objects.filter(status=Job.Status.PENDING, run_after__lte=timezone.now())
        if not Submission.objects.filter(failed="").exists() and not due.exists():
            break
        time.sleep(0.2)
    return round(time.monotonic() - started, 1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def environment(database: str) -> dict[str, str]:
    data_dir = WORK / database
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("UNDERSIGNED_") and k != "DATABASE_URL"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "UNDERSIGNED_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "UNDERSIGNED_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # The load generator stands for the operator's proxy: it says which network each
            # signer comes from (bench/load.py).
            "UNDERSIGNED_TRUSTED_PROXIES": "1",
            "UNDERSIGNED_DATA_DIR": str(data_dir),
            "PYTHONPATH": str(ROOT),
        }
    )
    if database == "postgresql":
        env["DATABASE_URL"] = PG_BENCH_URL
    return env


def prepare_database(database: str, env: dict[str, str]) -> None:
    data_dir = WORK / database
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    if database == "postgresql":
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS undersigned_bench WITH (FORCE)")
            conn.execute("CREATE DATABASE undersigned_bench")
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "-v0"], cwd=ROOT, env=env, check=True
        )
    # The baseline app's one table, in the same database.
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--noinput", "-v0"], cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "bench.minimal.settings"}, check=True,
    )  # fmt: skip


def setup_database(database: str) -> dict[str, str]:
    """A fresh database of this kind, migrated, with Django set up on it in this process."""
    env = environment(database)
    prepare_database(database, env)
    os.environ.update(env)
    import django

    django.setup()
    return env


def statement(slug: str):
    """An open statement to sign. Its proof of work is off: the load generator measures the
    signing path, not a browser's hashing (see README, "Privacy and security")."""
    from undersigned.statements.models import Statement
    from undersigned.statements.services import statement_create

    return statement_create(
        slug=slug,
        state=Statement.State.OPEN,
        proof_of_work=Statement.ProofOfWork.NEVER,
        texts={"en": ("Benchmark statement", "A statement used to measure the platform.")},
    )


def run_crash(database: str) -> dict:
    """The crash check alone (tests/test_crash.py runs it): a 200-signer burst, SIGKILL of
    every server and worker process, restart, and the count of lost and doubled acks."""
    env = setup_database(database)
    from bench.crash import check_acknowledged

    statement("bench")
    port = free_port()
    procs = Processes(env)
    try:
        procs.start_server(port)
        procs.start_worker()
        out = asyncio.run(crash_burst(procs, port, "/en/s/bench/sign/individual/"))
        out.update(check_acknowledged(out.pop("acked_emails")))
    finally:
        procs.kill(signal.SIGTERM)
    return {"database": database, **out}


def pg_cluster(action: str, *extra: str) -> None:
    """Stop or start the local PostgreSQL cluster (the machine's one; root only)."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action, *extra],
        check=action == "stop",
        capture_output=True,
        timeout=120,
    )


def run_db_crash(database: str) -> dict:
    """PostgreSQL stopped with `-m immediate` (a crash: no checkpoint, no goodbye) while 200
    signers are in flight, then started again. Every answer of 2xx must be a row that survived:
    the check asks that fsync and synchronous_commit be on first. The server is started again
    whatever happens."""
    if database != "postgresql":
        raise SystemExit("the database crash is PostgreSQL's")
    env = setup_database(database)
    from django.db import connection

    from bench.crash import check_acknowledged

    with connection.cursor() as cursor:
        cursor.execute("SHOW fsync")
        fsync = cursor.fetchone()[0]
        cursor.execute("SHOW synchronous_commit")
        synchronous_commit = cursor.fetchone()[0]
    if (fsync, synchronous_commit) != ("on", "on"):
        raise SystemExit(
            f"durability is off (fsync={fsync}, synchronous_commit={synchronous_commit})"
        )
    statement("bench")
    connection.close()
    port = free_port()
    procs = Processes(env)
    try:
        procs.start_server(port)
        procs.start_worker()
        out = asyncio.run(database_crash_burst(port, "/en/s/bench/sign/individual/"))
        connection.close()
        out["recorded_after_restart_s"] = wait_for_empty_queue()
        out.update(check_acknowledged(out.pop("acked_emails")))
    finally:
        pg_cluster("start")
        procs.kill(signal.SIGTERM)
    return {"database": database, "fsync": fsync, "synchronous_commit": synchronous_commit, **out}


async def database_crash_burst(port: int, path: str) -> dict:
    burst, live, started = await burst_until_acknowledged(port, path, max_signatures=400)
    acked_at_crash = live.ok
    try:
        await asyncio.to_thread(pg_cluster, "stop", "-m", "immediate")
        crashed_at = time.monotonic() - started
        await asyncio.sleep(1)
    finally:
        await asyncio.to_thread(pg_cluster, "start")
    result = await burst
    return {
        "signers": 200,
        "crashed_after_s": round(crashed_at, 2),
        "acked_at_crash": acked_at_crash,
        "acked_total": result.ok,
        "failed_requests": result.errors_other + result.errors_5xx,
        "acked_emails": result.acked_emails,
    }


def run_database(database: str) -> dict:
    """Everything measured on one database. Runs in a child process configured for it."""
    env = setup_database(database)
    from bench.crash import check_acknowledged
    from bench.load import page_load, pages_load, percentile, sign_load
    from bench.seed import seed_to

    statement("bench")
    pages = statement("pages")
    statement("empty")
    sign_path = "/en/s/bench/sign/individual/"
    port = free_port()
    base = [f"http://127.0.0.1:{port}"]
    minimal_port = free_port()
    minimal = [f"http://127.0.0.1:{minimal_port}"]
    out: dict = {"database": database}
    procs = Processes(env)
    try:
        procs.start_server(port)
        procs.start_worker()
        procs.start_minimal(minimal_port)
        # Intake: the signing path and the minimal app's one-INSERT view, alternated, each on
        # its own gunicorn with the same settings, same run.
        asyncio.run(
            sign_load(base, sign_path, concurrency=CONCURRENCY, seconds=3, max_signatures=5000)
        )
        asyncio.run(
            sign_load(minimal, "/sign/", concurrency=CONCURRENCY, seconds=3, max_signatures=5000)
        )
        full, baseline = [], []
        drains = []
        for _ in range(ROUNDS):
            for urls, path, bucket in ((minimal, "/sign/", baseline), (base, sign_path, full)):
                # Each phase starts with an empty queue: the emails of the last surge are not
                # sent on the next phase's time.
                drains.append(wait_for_empty_queue())
                bucket.append(
                    asyncio.run(
                        sign_load(
                            urls, path, concurrency=CONCURRENCY, seconds=PHASE_SECONDS,
                            max_signatures=MAX_PER_PHASE,
                        )
                    )
                )  # fmt: skip
        drains.append(wait_for_empty_queue())
        sign_ok = sum(r.ok for r in full)
        sign_s = sum(r.elapsed for r in full)
        base_ok = sum(r.ok for r in baseline)
        base_s = sum(r.elapsed for r in baseline)
        latencies = [ms for r in full for ms in r.sign_ms]
        intake_check = check_acknowledged([e for r in full for e in r.acked_emails])
        out.update(
            {
                "sign_per_s": round(sign_ok / sign_s, 1),
                "baseline_sign_per_s": round(base_ok / base_s, 1),
                "ratio": round((sign_ok / sign_s) / (base_ok / base_s), 3),
                "ratio_per_round": [
                    round(f.per_second / b.per_second, 3)
                    for f, b in zip(full, baseline, strict=True)
                ],
                "sign_p50_ms": round(percentile(latencies, 50), 1),
                "sign_p99_ms": round(percentile(latencies, 99), 1),
                "baseline_p50_ms": round(
                    percentile([m for r in baseline for m in r.sign_ms], 50), 1
                ),
                "baseline_p99_ms": round(
                    percentile([m for r in baseline for m in r.sign_ms], 99), 1
                ),
                "errors_5xx": sum(r.errors_5xx for r in full + baseline),
                "errors_other": sum(r.errors_other for r in full + baseline),
                "signatures_acked": sign_ok,
                "lost_acks": intake_check["lost_acks"],
                "duplicates": intake_check["duplicates"],
                "missing_email_jobs": intake_check["missing_email_jobs"],
                "submissions_left": intake_check["submissions_left"],
                # After each signing phase: until the worker had recorded every submission and
                # written every email. The phases' rate with this time added is the rate at
                # which signatures were fully processed, not only accepted.
                "recorded_and_mailed_s": drains[2::2],
                "sign_processed_per_s": round(sign_ok / (sign_s + sum(drains[2::2])), 1),
                "intake_rounds": {
                    "signing": [r.summary() for r in full],
                    "baseline": [r.summary() for r in baseline],
                },
            }
        )

        # Sustained: one long signing phase, the worker recording while it goes on.
        out["sustained"] = asyncio.run(sustained(base, sign_path, out["baseline_sign_per_s"]))

        # Crash: SIGKILL every server process in the middle of a 200-signer burst.
        out["crash"] = asyncio.run(crash_burst(procs, port, sign_path))
        out["crash"].update(check_acknowledged(out["crash"].pop("acked_emails")))
        procs.kill(signal.SIGTERM)

        # Scale-out: one app server with one process, then two on different ports.
        if database == "postgresql":
            out["scale_out"] = scale_out(procs, sign_path)

        # Page cost: the statement page at growing numbers of signatures, each size measured
        # in alternating rounds beside a statement with none, so both see the same machine.
        procs.start_server(port)
        page_url = f"http://127.0.0.1:{port}/en/s/pages/"
        empty_url = f"http://127.0.0.1:{port}/en/s/empty/"
        out["page"] = {}
        for size in PAGE_SIZES:
            seeded = seed_to(pages, size)
            for url in (page_url, empty_url):  # warm both
                asyncio.run(page_load(url, concurrency=4, seconds=1, max_requests=300))
            # Each reader reads the two pages in turn, so both see the same moments of the VM.
            got, _errors = asyncio.run(
                pages_load(
                    [empty_url, page_url], concurrency=4, seconds=PAGE_SECONDS,
                    max_requests=PAGE_SECONDS * 2000,
                )
            )  # fmt: skip
            full_ms, empty_ms = got[page_url], got[empty_url]
            out["page"][str(size)] = {
                "signatures": seeded,
                "requests": len(full_ms),
                "p50_ms": round(percentile(full_ms, 50), 2),
                "p99_ms": round(percentile(full_ms, 99), 2),
                "empty_statement_p50_ms": round(percentile(empty_ms, 50), 2),
            }
        top = out["page"][str(PAGE_SIZES[-1])]
        out["page_p50_ms"] = {k: v["p50_ms"] for k, v in out["page"].items()}
        out["page_p99_ms"] = {k: v["p99_ms"] for k, v in out["page"].items()}
        out["page_p50_ratio_1m_vs_0"] = round(top["p50_ms"] / top["empty_statement_p50_ms"], 3)
    finally:
        procs.kill(signal.SIGTERM)
    return out


CRASH_AFTER_ACKS = 60


async def burst_until_acknowledged(
    port: int, path: str, *, max_signatures: int, seconds: float = 60
) -> tuple[asyncio.Task, object, float]:
    """200 signers at once, started in the background; returns (the burst's task, its live
    result, when it started) once CRASH_AFTER_ACKS signatures were acknowledged (at most 20 s)."""
    from bench.load import SignResult, sign_load

    live = SignResult()
    burst = asyncio.create_task(
        sign_load(
            [f"http://127.0.0.1:{port}"],
            path,
            concurrency=200,
            seconds=seconds,
            max_signatures=max_signatures,
            result=live,
        )
    )
    started = time.monotonic()
    while not burst.done() and live.ok < CRASH_AFTER_ACKS and time.monotonic() - started < 20:
        await asyncio.sleep(0.002)
    return burst, live, started


async def crash_burst(procs: Processes, port: int, path: str) -> dict:
    """200 signers at once; SIGKILL every server and worker process once some were answered."""
    burst, live, started = await burst_until_acknowledged(
        port, path, max_signatures=200, seconds=30
    )
    await asyncio.to_thread(procs.kill, signal.SIGKILL)
    killed_at = time.monotonic() - started
    acked_at_kill = live.ok
    result = await burst
    procs.start_server(port)
    procs.start_worker()
    # The restarted worker records what was submitted before the kill.
    recorded_s = await asyncio.to_thread(wait_for_empty_queue)
    return {
        "signers": 200,
        "killed_after_s": round(killed_at, 2),
        "acked_at_kill": acked_at_kill,
        "acked_total": result.ok,
        "failed_requests": result.errors_other + result.errors_5xx,
        "recorded_after_restart_s": recorded_s,
        "acked_emails": result.acked_emails,
    }


async def sustained(base: list[str], path: str, baseline_per_s: float) -> dict:
    """The signing load for SUSTAINED_SECONDS without a pause, sampling twice a second how many
    submissions wait and how long the oldest has waited; then the time the worker needs to
    finish. The phases above are short, and the worker mostly records between them; here it
    records during the load, so this is the rate the machine keeps up."""
    from django.utils import timezone

    from bench.load import percentile, sign_load
    from undersigned.signatures.models import Submission

    def sample() -> tuple[int, float]:
        waiting = Submission.objects.filter(failed="")
        oldest = waiting.order_by("id").values_list("created", flat=True).first()
        age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        return waiting.count(), age

    load = asyncio.create_task(
        sign_load(
            base, path, concurrency=CONCURRENCY, seconds=SUSTAINED_SECONDS,
            max_signatures=MAX_PER_PHASE * 4,
        )
    )  # fmt: skip
    samples = []
    while not load.done():
        samples.append(await asyncio.to_thread(sample))
        await asyncio.sleep(0.5)
    result = await load
    drained = await asyncio.to_thread(wait_for_empty_queue)
    per_s = result.ok / result.elapsed
    return {
        "seconds": round(result.elapsed, 1),
        "signatures": result.ok,
        "sign_per_s": round(per_s, 1),
        "ratio_to_baseline": round(per_s / baseline_per_s, 3),
        "sign_p50_ms": round(percentile(result.sign_ms, 50), 1),
        "sign_p99_ms": round(percentile(result.sign_ms, 99), 1),
        "errors_5xx": result.errors_5xx,
        "most_waiting": max((n for n, _ in samples), default=0),
        "longest_wait_s": round(max((age for _, age in samples), default=0.0), 1),
        "recorded_and_mailed_after_s": drained,
        "processed_per_s": round(result.ok / (result.elapsed + drained), 1),
    }


def scale_out(procs: Processes, path: str) -> dict:
    from bench.load import sign_load

    out = {}
    first, second = free_port(), free_port()
    for label, ports in (("one_server", [first]), ("two_servers", [first, second])):
        procs.kill(signal.SIGTERM)
        for port in ports:
            procs.start_server(port, workers=1)
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        asyncio.run(sign_load(urls, path, concurrency=CONCURRENCY, seconds=2, max_signatures=3000))
        result = asyncio.run(
            sign_load(
                urls,
                path,
                concurrency=CONCURRENCY,
                seconds=PHASE_SECONDS,
                max_signatures=MAX_PER_PHASE,
            )
        )
        out[label] = result.summary()
    procs.kill(signal.SIGTERM)
    out["gain"] = round(out["two_servers"]["per_s"] / out["one_server"]["per_s"], 3)
    out["note"] = f"each app server is one gunicorn process with {WEB_THREADS} threads"
    return out


def machine() -> dict:
    import django
    import gunicorn

    memory_kb = int(
        next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1]
    )
    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line),
        platform.processor(),
    )
    import sqlite3

    info = {
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "sqlite": sqlite3.sqlite_version,
    }
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 (PostgreSQL is optional)
        info["postgresql"] = None
    return info


TARGETS = [
    ("ratio", ">=", 0.7, "signing path ≥ 0.7 × the minimal app (bench/minimal)"),
    ("sustained.ratio_to_baseline", ">=", 0.6, "sustained 70 s ≥ 0.6 × the minimal app"),
    (
        "sustained.recorded_and_mailed_after_s",
        "<=",
        10,
        "backlog recorded and mailed ≤ 10 s after the sustained load",
    ),  # fmt: skip
    ("errors_5xx", "==", 0, "no 5xx"),
    ("sign_p99_ms", "<", 250, "signing p99 < 250 ms"),
    ("lost_acks", "==", 0, "no acknowledged signature lost (load)"),
    ("duplicates", "==", 0, "no duplicate (load)"),
    ("page_p50_ratio_1m_vs_0", "<=", 1.2, "page p50 at 1M ≤ 1.2 × at 0 (measured side by side)"),
    ("crash.lost_acks", "==", 0, "no acknowledged signature lost (SIGKILL)"),
    ("crash.duplicates", "==", 0, "no duplicate (SIGKILL)"),
    ("crash.missing_email_jobs", "==", 0, "every acknowledged signature has its email job"),
    ("crash.submissions_left", "==", 0, "every submission recorded after the restart"),
    ("scale_out.gain", ">", 1.0, "two app servers beat one (PostgreSQL)"),
]


def value(result: dict, dotted: str):
    for part in dotted.split("."):
        if not isinstance(result, dict) or part not in result:
            return None
        result = result[part]
    return result


def met(actual, op: str, target) -> bool:
    return {
        ">=": actual >= target, "<=": actual <= target, "<": actual < target,
        ">": actual > target, "==": actual == target,
    }[op]  # fmt: skip


def report(results: dict) -> str:
    dbs = list(results["databases"])
    m = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Command: `bench/run` · run at {results['started']} · took {results['duration_s']} s.",
        "",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, Linux {m['kernel']}; "
        f"Python {m['python']}, Django {m['django']}, gunicorn {m['gunicorn']}, "
        f"SQLite {m['sqlite']}, PostgreSQL {m['postgresql']}.",
        "",
        f"Server: {results['server']}. Load: {results['load']}.",
        "",
        "## Targets",
        "",
        "| target | " + " | ".join(dbs) + " |",
        "|---|" + "---|" * len(dbs),
    ]
    all_met = True
    for key, op, target, label in TARGETS:
        cells = []
        for db in dbs:
            actual = value(results["databases"][db], key)
            if actual is None:
                cells.append("n/a")
                continue
            ok = met(actual, op, target)
            all_met &= ok
            cells.append(f"{actual} {'✅' if ok else '❌'}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", f"**All targets met: {'yes' if all_met else 'no'}.**", "", "## Intake", ""]
    keys = [
        "sign_per_s", "baseline_sign_per_s", "ratio", "ratio_per_round", "sign_p50_ms",
        "sign_p99_ms", "baseline_p50_ms", "baseline_p99_ms", "errors_5xx", "errors_other",
        "signatures_acked", "lost_acks", "duplicates", "submissions_left",
        "recorded_and_mailed_s", "sign_processed_per_s",
    ]  # fmt: skip
    lines += ["| | " + " | ".join(dbs) + " |", "|---|" + "---|" * len(dbs)]
    for key in keys:
        lines.append(
            f"| `{key}` | " + " | ".join(str(results["databases"][d].get(key)) for d in dbs) + " |"
        )
    lines += [
        "",
        "## Statement page cost",
        "",
        "| signatures | " + " | ".join(f"{d} p50 / p99 ms" for d in dbs) + " |",
    ]
    lines.append("|---|" + "---|" * len(dbs))
    for size in PAGE_SIZES:
        cells = []
        for d in dbs:
            page = results["databases"][d]["page"][str(size)]
            cells.append(
                f"{page['p50_ms']} / {page['p99_ms']} (empty: {page['empty_statement_p50_ms']})"
            )
        lines.append(f"| {size:,} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Crash (SIGKILL of every server and worker process during a 200-signer burst)",
        "",
    ]
    for d in dbs:
        lines.append(f"- {d}: `{json.dumps(results['databases'][d]['crash'])}`")
    lines += [
        "",
        f"## Sustained ({SUSTAINED_SECONDS:g} s of signing without a pause, the worker recording"
        " while it goes on)",
        "",
    ]
    for d in dbs:
        lines.append(f"- {d}: `{json.dumps(results['databases'][d].get('sustained'))}`")
    if "textcheck" in results:
        lines += ["", "## The text check (`bench/textcheck_timing.py`, no link fetched)", ""]
        for case, row in results["textcheck"].items():
            if isinstance(row, dict):
                lines.append(
                    f"- {case}: {row['words']} words, {row['findings']} findings, "
                    f"median {row['seconds_median']} s (max {row['seconds_max']} s, "
                    f"{row['runs']} runs); target {results['textcheck']['target_seconds']} s"
                )
    if "exports" in results:
        lines += ["", "## Exports (`bench/export_timing.py`, SQLite, one process per export)", ""]
        targets = results["exports"]["targets"]
        for case, row in results["exports"].items():
            if case == "targets":
                continue
            target = targets.get(case.split("_")[0])
            goal = f"; target {target['seconds']} s, {target['mb']} MB" if target else ""
            lines.append(
                f"- {case}: {row['entries']} entries in {row['seconds']} s, peak resident "
                f"memory {row['peak_rss_mb']} MB, {row['bytes'] / 2**20:.1f} MiB written{goal}"
            )
    if "api" in results:
        api = results["api"]
        lines += [
            "",
            f"## A reader polling the counts (`bench/api_timing.py`, in-process, SQLite, "
            f"{api['signatures']} signatures, {api['requests']} requests each)",
            "",
        ]
        for case in ("statement_page", "api_counts", "api_counts_not_modified"):
            row = api[case]
            lines.append(
                f"- {case}: HTTP {row['status']}, median {row['median_ms']} ms, "
                f"95th percentile {row['p95_ms']} ms, {row['bytes']} bytes"
            )
    if "mail" in results:
        mail = results["mail"]
        lines += [
            "",
            f"## The worker's mail step (`bench/mail_timing.py`, {mail['messages']} confirmation "
            f"emails in batches of {mail['batch']}, one connection a batch)",
            "",
            f"- file backend (mbox): {mail['file_backend']['ms_per_message']} ms a message",
            f"- SMTP to a sink on 127.0.0.1: {mail['smtp_loopback']['ms_per_message']} ms"
            " a message",
        ]
    if "worker" in results:
        lines += [
            "",
            "## The worker alone (`bench/worker_timing.py`: 5,000 waiting submissions from 5,000 "
            "networks, batches of 100, recorded and then mailed with the file backend, in-process)",
            "",
        ]
        for d, row in results["worker"].items():
            lines.append(
                f"- {d}: recorded {row['recorded_per_s']}/s ({row['record_s']} s), "
                f"emails {row['mailed_per_s']}/s ({row['mail_s']} s)"
            )
    if any("scale_out" in results["databases"][d] for d in dbs):
        lines += ["", "## Scale-out on one machine (PostgreSQL)", ""]
        for d in dbs:
            if "scale_out" in results["databases"][d]:
                lines.append(f"- {d}: `{json.dumps(results['databases'][d]['scale_out'])}`")
    return "\n".join(lines) + "\n"


def pg_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_ADMIN_URL, connect_timeout=3).close()
        return True
    except Exception:  # noqa: BLE001
        return False


def in_child(module: str, *args: str, timeout: int) -> dict:
    """Run one in-process measurement (`bench.<module>`) in a process of its own, bounded by
    `timeout`, and return the figures it wrote with --out."""
    out = WORK / f"{module}-{'-'.join(args) or 'all'}.json"
    subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *args, "--out", str(out)],
        cwd=ROOT, check=True, timeout=timeout, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"])
    parser.add_argument("--out", help="where a --database run writes its JSON")
    parser.add_argument(
        "--crash-only", action="store_true", help="with --database: only the SIGKILL check"
    )
    parser.add_argument(
        "--db-crash-only",
        action="store_true",
        help="with --database postgresql: only the database crash (stop -m immediate)",
    )
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.database:
        run = run_db_crash if args.db_crash_only else run_crash if args.crash_only else run_database
        Path(args.out).write_text(json.dumps(run(args.database), indent=2))
        return
    started = time.time()
    databases = ["sqlite"] + (["postgresql"] if pg_reachable() else [])
    results = {
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
        "machine": machine(),
        "server": (
            f"gunicorn --workers {WEB_WORKERS} --threads {WEB_THREADS} --worker-class gthread, "
            "plus one `manage.py run_worker`, production settings (DEBUG off)"
        ),
        "load": (
            f"{CONCURRENCY} closed-loop browser-like signers (GET form, POST), {ROUNDS} rounds of "
            f"{PHASE_SECONDS:.0f} s per path, alternating, aiohttp client on the same machine"
        ),
        "databases": {},
    }
    print("== text check", flush=True)
    results["textcheck"] = in_child("textcheck_timing", timeout=120)
    print("== exports", flush=True)
    results["exports"] = in_child("export_timing", timeout=420)
    print("== api", flush=True)
    results["api"] = in_child("api_timing", timeout=300)
    print("== mail", flush=True)
    results["mail"] = in_child("mail_timing", timeout=300)
    print("== worker", flush=True)
    results["worker"] = {
        database: in_child("worker_timing", database, "5000", timeout=300) for database in databases
    }
    for database in databases:
        out = WORK / f"{database}.json"
        print(f"== {database}", flush=True)
        subprocess.run(
            [sys.executable, "-m", "bench.main", "--database", database, "--out", str(out)],
            cwd=ROOT,
            check=True,
            timeout=420,
        )
        results["databases"][database] = json.loads(out.read_text())
    results["duration_s"] = round(time.time() - started)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (ROOT / "bench" / "RESULTS.md").write_text(report(results))
    print(report(results))


if __name__ == "__main__":
    main()
