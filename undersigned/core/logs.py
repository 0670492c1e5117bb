"""What the platform's logs may hold: never a link that acts for a signer, never an IP address.

Confirmation and management links carry a token that confirms or withdraws a signature, so a
log line with one would let whoever reads the logs act for the signer, and a line with the
client's address beside it would tie that person to their signature. Every log record passes
through `MaskTokens`, and the optional access log (`serve --access-log`) uses
`PrivateAccessLogger`, which writes no address, referrer or user agent at all.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

# /en/confirm/<token>/, /en/manage/<token>/ and a password reset's /<uid>/<token>/, wherever
# they appear in a line.
_TOKEN_PATH = re.compile(r"(/(?:confirm|manage|password/reset/[^/\s]+)/)[^/\s?#\"']+")
MASK = "[token]"

# Time, request line with its path masked, status, bytes, duration: nothing about the client.
ACCESS_LOG_FORMAT = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'


def mask_tokens(text: str) -> str:
    return _TOKEN_PATH.sub(rf"\1{MASK}", text)


class MaskTokens(logging.Filter):
    """Rewrites a record's message with every token path masked (for every handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class PrivateAccessLogger(Logger):
    """gunicorn's logger, with the request's address, referrer and headers left out of every
    access line and the path's token masked."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["h"] = "-"
        for key in ("r", "U", "f", "q"):
            if key in atoms:
                atoms[key] = mask_tokens(str(atoms[key]))
        return atoms
