"""Run the web server (gunicorn) and the background worker together, as one command.

Production runs them as separate services (see the README); this is the one-command default.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the platform with gunicorn and run the background worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--web-workers", type=int, default=4)
        parser.add_argument("--threads", type=int, default=2)

    def handle(self, *args, bind: str, web_workers: int, threads: int, **options):
        web = subprocess.Popen(
            [
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
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
            ]
        )
        worker = subprocess.Popen([sys.executable, "-m", "django", "run_worker"])
        children = [web, worker]

        def stop(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"undersigned is running at http://{bind}/ (Ctrl-C stops it)")
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop(None, None)
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [child.args[2] for child in children if child.returncode not in (0, -15)]
        if failed:
            raise SystemExit(1)
