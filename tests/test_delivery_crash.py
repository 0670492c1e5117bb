"""The worker killed mid-delivery (issue 19): a real `manage.py run_worker` sends a delivery to
six addressees through an SMTP server on 127.0.0.1 and is killed with SIGKILL while the third
email is being handed over (the server has the message; the worker never hears its answer).
A second worker finishes the delivery. Every addressee has the letter exactly once: none twice,
none lost, and the one in doubt is marked "interrupted" for an owner to check, not sent again.
Runs on the database of the suite (SQLite file or PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import smtp_server
from tests.factories import make_statement, organization, sign_and_confirm
from undersigned.deliveries.models import Delivery, Recipient
from undersigned.deliveries.sending import delivery_create
from undersigned.signatures.services import statement_list_refresh
from undersigned.statements.models import Addressee

ROOT = Path(__file__).resolve().parent.parent
ADDRESSEES = [f"office{n}@gov.example" for n in range(1, 7)]


class SlowThirdSink:
    """Takes every message; on the third to an addressee, keeps it, then waits before
    answering. (The signer's confirmation email passes too, and is not counted.)"""

    def __init__(self):
        self.received: list[str] = []
        self.third_arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        addressed = [r for r in envelope.rcpt_tos if r in ADDRESSEES]
        self.received.extend(addressed)
        if addressed and len(self.received) == 3:
            self.third_arrived.set()
            await asyncio.sleep(20)
        return "250 OK"


def worker(env: dict, log=subprocess.DEVNULL) -> subprocess.Popen:
    """A real `manage.py run_worker`; its output goes to `log` (an open file), or nowhere."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--poll", "0.2"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def worker_env(settings, port: int | None) -> dict:
    """A worker's environment on the suite's database; mail to the SMTP server on `port`, or
    (None) to mbox files in DATA_DIR/mail."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNDERSIGNED_")}
    env.pop("DATABASE_URL", None)
    env |= {
        "DJANGO_SETTINGS_MODULE": "undersigned.settings",
        "UNDERSIGNED_DEBUG": "1",
        "UNDERSIGNED_DATA_DIR": str(settings.DATA_DIR),
    }
    if port is not None:
        env |= {
            "UNDERSIGNED_EMAIL_HOST": "127.0.0.1",
            "UNDERSIGNED_EMAIL_PORT": str(port),
            "UNDERSIGNED_EMAIL_USE_TLS": "0",
            "UNDERSIGNED_EMAIL_TIMEOUT": "2",
        }
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        )
    else:
        env["UNDERSIGNED_SQLITE_PATH"] = str(database["NAME"])
    return env


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_sends_nobody_twice_and_loses_nobody(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    statement = make_statement()
    sign_and_confirm(statement, organization(name="Friends of the Library"))
    statement_list_refresh(statement_id=statement.pk)
    addressees = [
        Addressee.objects.create(
            statement=statement, name=f"Office {n}", email=address, language="ar" if n % 2 else "en"
        )  # fmt: skip
        for n, address in enumerate(ADDRESSEES, 1)
    ]
    sink = SlowThirdSink()
    first = second = None
    with smtp_server(sink) as port:
        env = worker_env(settings, port)
        try:
            recipients = [(a, a.language) for a in addressees]
            delivery = delivery_create(
                statement=statement, user=None, public_names=False, recipients=recipients
            )
            first = worker(env)
            assert sink.third_arrived.wait(timeout=120), "the third email never came"
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            states = list(Recipient.objects.order_by("id").values_list("status", flat=True))
            assert states[:2] == ["sent", "sent"] and states[2] == "sending"
            assert set(states[3:]) == {"queued"}
            second = worker(env)
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                delivery.refresh_from_db()
                if delivery.status == Delivery.Status.DONE:
                    break
                time.sleep(0.3)
        finally:
            for process in (first, second):
                if process is not None and process.poll() is None:
                    process.kill()
                    process.wait(timeout=10)
    assert delivery.status == Delivery.Status.DONE
    # Every addressee has it once; the one in doubt is marked, not sent again.
    assert sorted(sink.received) == sorted(ADDRESSEES)
    final = dict(Recipient.objects.values_list("email", "status"))
    assert final[ADDRESSEES[2]] == "interrupted"
    assert {final[a] for a in ADDRESSEES if a != ADDRESSEES[2]} == {"sent"}
