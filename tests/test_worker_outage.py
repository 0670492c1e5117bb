"""A real `manage.py run_worker` started while its database cannot be reached waits for it,
then records what signers were told is received. (A worker that started while PostgreSQL was
restarting used to exit at its first query, and the submissions waited for an operator.)
On PostgreSQL the database is reached through a relay on 127.0.0.1 that starts listening
later; on SQLite through a directory that appears later."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import make_statement
from tests.test_delivery_crash import worker, worker_env
from tests.test_serve import free_port
from tests.test_submissions import submit
from undersigned.core.mail import written_messages
from undersigned.signatures.models import Signature, Submission


@contextlib.contextmanager
def relay(port: int, to: tuple[str, int]):
    """Forward connections on 127.0.0.1:`port` to `to`, in a thread, until the block ends."""
    loop = asyncio.new_event_loop()

    async def pipe(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    async def handle(reader, writer):
        upstream_reader, upstream_writer = await asyncio.open_connection(*to)
        await asyncio.gather(
            pipe(reader, upstream_writer), pipe(upstream_reader, writer), return_exceptions=True
        )

    listening = threading.Event()

    def serve():  # all of it in the thread: the suite's own thread may have a loop running
        server = loop.run_until_complete(asyncio.start_server(handle, "127.0.0.1", port))
        listening.set()
        loop.run_forever()
        server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert listening.wait(timeout=10)
    try:
        yield
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)


@contextlib.contextmanager
def unreachable_database(env: dict, tmp_path: Path):
    """Point the worker's `env` at the suite's database through a way in that is closed; yields
    the function that opens it."""
    database = connection.settings_dict
    with contextlib.ExitStack() as stack:
        if connection.vendor == "postgresql":
            port = free_port()
            env["DATABASE_URL"] = (
                f"postgres://{database['USER']}@127.0.0.1:{port}/{database['NAME']}"
            )
            upstream = (database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432))
            yield lambda: stack.enter_context(relay(port, upstream))
        else:
            real = Path(database["NAME"])
            door = tmp_path / "not-yet"
            env["UNDERSIGNED_SQLITE_PATH"] = str(door / real.name)
            yield lambda: door.symlink_to(real.parent, target_is_directory=True)


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.django_db(transaction=True)
def test_a_worker_started_while_the_database_is_down_waits_for_it_then_records(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    statement = make_statement()
    assert submit(statement, "patient@example.org").status_code == 302
    env = worker_env(settings, None)
    log = tmp_path / "worker.log"
    with unreachable_database(env, tmp_path) as open_the_way, log.open("wb") as out:
        process = worker(env, out)
        try:
            # It tried the database, failed, and is still there.
            wait_for(lambda: process.poll() is not None or b"retrying" in log.read_bytes(), 60)
            assert process.poll() is None, log.read_text()
            assert b"retrying" in log.read_bytes()
            assert Submission.objects.count() == 1 and not Signature.objects.exists()
            open_the_way()
            assert wait_for(lambda: not Submission.objects.exists(), 60), log.read_text()
            signature = Signature.objects.get()
            assert signature.email == "patient@example.org"
            mailed = settings.DATA_DIR / "mail"
            assert wait_for(lambda: mailed.is_dir() and any(mailed.glob("*.mbox")), 30)
            assert [m["To"] for m in written_messages(mailed)] == ["patient@example.org"]
            assert process.poll() is None
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
