"""What the platform's logs may hold: never a link that acts for a signer, never an IP address,
never a whole email address.

Confirmation and management links carry a token that confirms or withdraws a signature, so a
log line with one would let whoever reads the logs act for the signer, and a line with the
client's address beside it would tie that person to their signature. Every log line, its
traceback included, is written by a formatter that masks tokens and the local part of email
addresses (`PlainFormatter`, or `JsonFormatter` with UNDERSIGNED_LOG_FORMAT=json), and carries
the request's id (`RequestIdFilter`, set by core.middleware.RequestIdMiddleware). The optional
access log (`serve --access-log`) uses `PrivateAccessLogger`, which writes no address,
referrer or user agent at all.
"""

from __future__ import annotations

import contextvars
import logging
import re

from gunicorn.glogging import Logger
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

# The id of the request being answered in this thread ("-" outside a request).
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_EMAIL = re.compile(r"[\w.+%-]+@((?:[\w-]+\.)+[\w-]+)")

# /en/confirm/<token>/, /en/manage/<token>/ and a password reset's /<uid>/<token>/, wherever
# they appear in a line.
_TOKEN_PATH = re.compile(r"(/(?:confirm|manage|password/reset/[^/\s]+)/)[^/\s?#\"']+")
MASK = "[token]"

# Time, request line with its path masked, status, bytes, duration: nothing about the client.
ACCESS_LOG_FORMAT = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'


def mask_tokens(text: str) -> str:
    return _TOKEN_PATH.sub(rf"\1{MASK}", text)


def mask(text: str) -> str:
    """Token paths and the local part of email addresses masked: `***@example.org`."""
    return _EMAIL.sub(r"***@\1", mask_tokens(text))


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


class JsonFormatter(_JsonFormatter):
    """One JSON object a line: time, level, logger, message, request id (and the traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


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
