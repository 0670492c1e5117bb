"""Answers given before a view runs, or instead of a server error."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.db import OperationalError
from django.shortcuts import render

logger = logging.getLogger(__name__)

# Owners' pages, which take imports: the admin, and the dashboard in any language.
_OWNER_PATH = re.compile(r"^/(?:admin/|[a-z]{2}(?:-[a-z]+)?/dashboard/)")
BUSY_RETRY_AFTER_SECONDS = 30


class BodyLimitMiddleware:
    """Refuses a request whose body is over the limit for its page (settings), from its
    Content-Length, before anything reads it: no upload is ever written to disk for a page that
    takes none. Django reads no body that comes without a Content-Length."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        owner = _OWNER_PATH.match(request.path_info) is not None
        limit = settings.OWNER_MAX_BODY_BYTES if owner else settings.PUBLIC_MAX_BODY_BYTES
        if length > limit:
            # The server discards the unread rest; the reverse proxy's own limit (README)
            # stops it on the way in.
            return render(request, "core/too_large.html", {"limit_kib": limit // 1024}, status=413)
        return self.get_response(request)


class DatabaseBusyMiddleware:
    """A request the database could not serve in time (its write lock held elsewhere, or the
    server unreachable) gets 503 with Retry-After in the page's language: nothing was stored,
    and the person can send it again. Never a bare server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError):
            return None
        logger.warning("database busy or unreachable: %s", exception)
        response = render(request, "core/busy.html", status=503)
        response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
