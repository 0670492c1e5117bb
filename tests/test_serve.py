"""`serve` as `bin/start` runs it: real gunicorn and worker processes on a SQLite database of
their own. What its logs hold after a signer signs, confirms and opens the management link, and
what happens when the worker dies."""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLUG = "evening-libraries"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(data_dir: Path, port: int, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="undersigned.settings",
        UNDERSIGNED_DATA_DIR=str(data_dir),
        UNDERSIGNED_SECRET_KEY="serve-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        UNDERSIGNED_ALLOWED_HOSTS="127.0.0.1",
        UNDERSIGNED_BASE_URL=f"http://127.0.0.1:{port}",
        UNDERSIGNED_SIGN_MIN_SECONDS="0",
        UNDERSIGNED_DEBUG="False",
        **extra,
    )
    return env


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("serve")
    env = environment(folder, 8000)
    for command in (["migrate", "--noinput"], ["load_sample"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    return folder


class Server:
    def __init__(self, data_dir: Path, **extra: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / f"serve-{self.port}.log"
        self.data_dir = data_dir
        shutil.rmtree(data_dir / "mail", ignore_errors=True)  # links of this server's run only
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "serve",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--web-workers",
                "1",
            ],
            cwd=ROOT,
            env=environment(data_dir, self.port, **extra),
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.base}/en/s/{SLUG}/", timeout=5).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("serve did not answer within 30 s:\n" + self.log.read_text())

    def get(self, path: str) -> str:
        return self._open(self.base + path)

    def post(self, path: str, data: dict) -> str:
        body = urllib.parse.urlencode(data).encode()
        return self._open(
            urllib.request.Request(
                self.base + path, data=body, headers={"Referer": self.base + path}
            )
        )

    def _open(self, request) -> str:
        """The page's text, whatever its status (a 404 is an answer too)."""
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.read().decode()
        except urllib.error.HTTPError as error:
            return error.read().decode()

    def sign(self, email: str) -> None:
        path = f"/en/s/{SLUG}/sign/individual/"
        page = self.get(path)
        hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
        hidden = {k: html.unescape(v) for k, v in hidden.items()}
        self.post(
            path,
            {
                **hidden,
                "name": "Serve Tester",
                "country": "FR",
                "affiliation": "",
                "email": email,
                "visibility": "hide",
            },
        )

    def link(self, kind: str, timeout: float = 20) -> str:
        """The newest confirm or manage link the worker mailed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = []
            # Only finished files: the backend writes NAME.tmp, then renames it NAME.mbox.
            for mbox in sorted((self.data_dir / "mail").glob("*.mbox")):
                text = mbox.read_text(errors="replace").replace("=\n", "")
                found += re.findall(rf"(/en/{kind}/[A-Za-z0-9_=-]+-[A-Za-z0-9_=-]+/)", text)
            if found:
                return found[-1]
            time.sleep(0.2)
        raise AssertionError(f"no {kind} link was mailed:\n" + self.log.read_text())

    def children(self) -> dict[int, str]:
        """The serve process's children: pid → command line."""
        found = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:
                    pid = int(stat.parent.name)
                    found[pid] = (
                        (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                    )
            except (OSError, IndexError, ValueError):
                continue
        return found

    def worker_pid(self) -> int | None:
        return next((p for p, cmd in self.children().items() if "run_worker" in cmd), None)

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        return self.log.read_text()


def client_addresses(log: str, port: int) -> list[str]:
    """Lines naming a loopback address, other than those naming the server's own bind."""
    return [
        line
        for line in log.splitlines()
        if re.search(r"127\.0\.0\.1|::1\b|localhost", line) and f":{port}" not in line
    ]


@pytest.mark.parametrize("access_log", ["False", "True"])
def test_a_signing_run_leaves_no_token_and_no_address_in_the_logs(data_dir, access_log):
    server = Server(data_dir, UNDERSIGNED_ACCESS_LOG=access_log)
    try:
        server.sign(f"logged-{access_log}@example.org")
        confirm = server.link("confirm")
        assert "Confirm my signature" in server.get(confirm)
        server.post(confirm, {"csrfmiddlewaretoken": _csrf(server, confirm)})
        manage = server.link("manage")
        server.get(manage)
        server.get(f"/en/confirm/{confirm.split('/')[3][:-3]}xx/")  # a broken link, 404
    finally:
        log = server.stop()
    tokens = [confirm.split("/")[3], manage.split("/")[3]]
    assert not [t for t in tokens if t in log], log
    assert client_addresses(log, server.port) == [], log
    requests = [line for line in log.splitlines() if '"GET /en/' in line or '"POST /en/' in line]
    if access_log == "True":
        assert any("/en/confirm/[token]/" in line for line in requests), log
        assert any(f"/en/s/{SLUG}/sign/individual/" in line for line in requests), log
    else:
        assert requests == [], log


def _csrf(server: Server, path: str) -> str:
    page = server.get(path)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_a_worker_that_dies_is_started_again_and_the_site_stays_up(data_dir):
    server = Server(data_dir)
    try:
        first = server.worker_pid()
        assert first is not None
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 20
        second = None
        while time.monotonic() < deadline:
            assert f"/en/s/{SLUG}/" and SLUG in server.get(f"/en/s/{SLUG}/")
            second = server.worker_pid()
            if second not in (None, first):
                break
            time.sleep(0.2)
        assert second not in (None, first)
        # The new worker records what is signed after the crash.
        server.sign("after-the-crash@example.org")
        assert server.link("confirm")
        assert server.process.poll() is None
    finally:
        log = server.stop()
    assert "the worker exited with code -9; starting it again in" in log
