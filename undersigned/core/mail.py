"""An email backend for machines without a mail server: one .eml file per message."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

logger = logging.getLogger("undersigned.mail")


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, *args, file_path: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.directory = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{secrets.token_hex(4)}.eml"
            path = self.directory / name
            tmp = path.with_suffix(".tmp")
            # Write then rename, so a reader never sees half a message.
            with open(tmp, "wb") as handle:
                handle.write(message.message().as_bytes(linesep="\r\n"))
                handle.flush()
                os.fsync(handle.fileno())
            tmp.rename(path)
            logger.info("email written to %s", path)
            sent += 1
        return sent
