"""Run the web server (gunicorn) and the background worker together, as one command.

Production runs them as separate services (see the README); this is the one-command default.
A worker that dies is started again (waiting longer after each quick failure, at most a
minute) while the web server keeps answering; if the web server dies, everything stops.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from undersigned.core.logs import ACCESS_LOG_FORMAT

# A worker that ran this long before it died was healthy: the next restart waits the least.
HEALTHY_SECONDS = 60
MAX_BACKOFF_SECONDS = 60


class Command(BaseCommand):
    help = "Serve the platform with gunicorn and run the background worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--web-workers", type=int, default=4)
        parser.add_argument("--threads", type=int, default=2)
        parser.add_argument(
            "--access-log",
            action="store_true",
            default=settings.ACCESS_LOG,
            help="log each request, without addresses and with tokens masked "
            "(default: UNDERSIGNED_ACCESS_LOG, off)",
        )

    def handle(self, *args, bind: str, web_workers: int, threads: int, access_log: bool, **opts):
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "undersigned.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(web_workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--graceful-timeout",
            "10",
        ]
        if access_log:
            command += [
                "--access-logfile",
                "-",
                "--access-logformat",
                ACCESS_LOG_FORMAT,
                "--logger-class",
                "undersigned.core.logs.PrivateAccessLogger",
            ]
        env = dict(os.environ)
        if settings.METRICS_TOKEN:
            # The gunicorn processes share their request figures through this folder
            # (prometheus_client's multiprocess mode), emptied at each start.
            folder = Path(settings.DATA_DIR) / "prometheus"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
        web = subprocess.Popen(command, env=env)
        worker = self._start_worker()
        started, backoff, restart_at = time.monotonic(), 1.0, None
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True
            for child in (web, worker):
                if child is not None and child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"undersigned is running at http://{bind}/ (Ctrl-C stops it)")
        try:
            while not stopping and web.poll() is None:
                time.sleep(0.2)
                if worker is not None and worker.poll() is not None:
                    ran = time.monotonic() - started
                    backoff = (
                        1.0 if ran > HEALTHY_SECONDS else min(backoff * 2, MAX_BACKOFF_SECONDS)
                    )
                    self.stderr.write(
                        f"the worker exited with code {worker.returncode}; "
                        f"starting it again in {backoff:.0f} s"
                    )
                    worker, restart_at = None, time.monotonic() + backoff
                if worker is None and restart_at is not None and time.monotonic() >= restart_at:
                    worker, started, restart_at = self._start_worker(), time.monotonic(), None
        finally:
            stop(None, None)
            for child in (web, worker):
                if child is None:
                    continue
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
        if not stopping:
            self.stderr.write(f"the web server exited with code {web.returncode}")
            raise SystemExit(1)

    def _start_worker(self) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "django", "run_worker"])
