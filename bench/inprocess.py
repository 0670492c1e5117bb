"""The signing path and the one-INSERT view in one process, without a server: each signature
is a GET and a POST through Django's WSGI handler, and the CPU time of this process
(`time.process_time`) is summed over alternating blocks of 50 signatures of each path. Then the
minimal app (`bench/minimal`, `bench/run`'s baseline) is timed the same way in a child process
of its own, since it is another Django project.

    .venv/bin/python -m bench.inprocess sqlite 1000     # or postgresql; signatures per path

No gunicorn, no sockets, no worker (submissions stay waiting to be recorded): what is left is
the request's own code and Django's, so the ratio printed here is the ceiling the server's
ratio tends to as its own per-request cost shrinks and the worker's work moves elsewhere. On
PostgreSQL the database server's own CPU is not counted. Runs on the benchmark's database
(`bench/results/tmp/`).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from urllib.parse import urlencode

from bench import main as bench
from bench.load import TOKEN, individual_fields

PATHS = {"signing": "/en/s/bench/sign/individual/", "one-INSERT": "/bench/baseline/"}
BLOCK = 50


def _call(app, method: str, path: str, body: bytes = b"", cookie: str = ""):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_REFERER": f"http://127.0.0.1{path}",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    answer = {}

    def start_response(status, headers):
        answer.update(status=status, headers=headers)

    chunks = app(environ, start_response)
    content = b"".join(chunks)
    chunks.close()
    return answer["status"], answer["headers"], content


def _sign(app, path: str, serial: int) -> None:
    _status, headers, page = _call(app, "GET", path)
    cookie = "; ".join(v.split(";")[0] for k, v in headers if k == "Set-Cookie")
    tokens = {k.decode(): v.decode() for k, v in TOKEN.findall(page)}
    fields = individual_fields(f"inprocess{serial}-{time.time_ns()}@bench.example.org")
    status, _headers, _content = _call(
        app, "POST", path, urlencode({**tokens, **fields}).encode(), cookie
    )
    if status[:3] not in ("302", "303"):  # the redirect that acknowledges a signature
        raise SystemExit(f"{path}: {status}")


def minimal(database: str, count: int) -> float:
    """CPU milliseconds a signature of the minimal app takes, in this process."""
    os.environ.update(bench.environment(database))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.minimal.settings"
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    app = WSGIHandler()
    for serial in range(BLOCK):
        _sign(app, "/sign/", serial)
    started = time.process_time()
    for serial in range(BLOCK, BLOCK + count):
        _sign(app, "/sign/", serial)
    return (time.process_time() - started) / count * 1000


def main() -> None:
    if sys.argv[1:2] == ["--minimal"]:
        print(minimal(sys.argv[2], int(sys.argv[3])))
        return
    database = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    bench.setup_database(database)
    bench.statement("bench")
    from django.core.handlers.wsgi import WSGIHandler

    app = WSGIHandler()
    serial = 0
    for path in PATHS.values():  # warm up: caches, compiled statements
        for _ in range(BLOCK):
            serial += 1
            _sign(app, path, serial)
    used = dict.fromkeys(PATHS, 0.0)
    for _ in range(max(1, count // BLOCK)):
        for name, path in PATHS.items():
            started = time.process_time()
            for _ in range(BLOCK):
                serial += 1
                _sign(app, path, serial)
            used[name] += time.process_time() - started
    done = max(1, count // BLOCK) * BLOCK
    print(f"{database}, {done} signatures per path, in one process:")
    for name in PATHS:
        print(f"  {name:12s} {used[name] / done * 1000:6.2f} ms of CPU per signature")
    print(f"  ratio {used['one-INSERT'] / used['signing']:.3f}")
    command = [sys.executable, "-m", "bench.inprocess", "--minimal", database, str(done)]
    ms = float(subprocess.run(command, capture_output=True, check=True, text=True).stdout)
    print(f"  {'minimal app':12s} {ms:6.2f} ms of CPU per signature (its own process)")
    print(f"  ratio {ms / (used['signing'] / done * 1000):.3f}")


if __name__ == "__main__":
    main()
