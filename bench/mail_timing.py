"""The worker's mail step, per message: the confirmation emails of 2,000 recorded signatures
sent in the worker's batches of 100 (`signatures/jobs.py:send_emails`: one query, one
rendering per statement, language and kind, one mail connection per batch), with the file
backend (mbox, one file per batch) and over SMTP to an aiosmtpd sink on 127.0.0.1. In-process,
SQLite. A measurement, not a test (issue 21, point 4). Alone:

    .venv/bin/python -m bench.mail_timing [--out FILE]
"""

from __future__ import annotations

import json
import socket
import sys
import tempfile
import time
from pathlib import Path

from bench.standalone import django_on_sqlite

MESSAGES = 2000
BATCH = 100


class Sink:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def measure() -> dict:
    with tempfile.TemporaryDirectory(prefix="undersigned-mail-bench-") as data_dir:
        django_on_sqlite(data_dir)
        from aiosmtpd.controller import Controller
        from django.conf import settings

        from undersigned.signatures.jobs import send_emails
        from undersigned.signatures.models import Signature
        from undersigned.signatures.services import SignerDetails, signature_create
        from undersigned.statements.services import statement_create

        statement = statement_create(
            slug="mail-bench", reference="MAIL", state="open", signers="both",
            default_language="en", texts={"en": ("Evening hours", "We ask for longer hours.")},
        )  # fmt: skip
        text = statement.texts.get(language="en")
        for n in range(MESSAGES):
            signature_create(
                statement=statement, text=text, language="en",
                details=SignerDetails(kind="individual", name=f"Reader {n}", country="FR",
                                      email=f"reader{n}@bench.example.org", show_name=True),
            )  # fmt: skip
        ids = list(Signature.objects.values_list("pk", flat=True))
        payloads = [{"signature_id": pk, "template": "confirm"} for pk in ids]

        def run() -> float:
            started = time.perf_counter()
            for i in range(0, len(payloads), BATCH):
                send_emails(payloads[i : i + BATCH])
            return time.perf_counter() - started

        figures: dict = {"messages": MESSAGES, "batch": BATCH}
        seconds = run()  # the file backend, as bin/start runs without a mail server
        figures["file_backend"] = {"ms_per_message": round(seconds * 1000 / MESSAGES, 3)}
        sink = Sink()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
            settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
            settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
            seconds = run()
        finally:
            controller.stop()
        assert sink.count == MESSAGES, sink.count
        figures["smtp_loopback"] = {"ms_per_message": round(seconds * 1000 / MESSAGES, 3)}
        print(figures, file=sys.stderr)
        return figures


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--out", help="also write the figures to this JSON file")
    args = parser.parse_args()
    result = measure()
    print(json.dumps(result, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
