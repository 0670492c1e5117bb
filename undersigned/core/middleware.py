"""Answers given before a view runs, or instead of a server error."""

from __future__ import annotations

import logging
import re
import uuid

from django.conf import settings
from django.db import OperationalError
from django.shortcuts import render

from undersigned.core.logs import request_id

logger = logging.getLogger(__name__)

# Owners' pages, which take imports: the admin, the owners' API, and the dashboard in any
# language.
_OWNER_PATH = re.compile(r"^/(?:admin/|api/v1/owner/|[a-z]{2}(?:-[a-z]+)?/dashboard/)")
# The public page that checks exported files against their manifest (deliveries).
_VERIFY_PATH = re.compile(r"^/[a-z]{2}(?:-[a-z]+)?/verify/$")
BUSY_RETRY_AFTER_SECONDS = 30
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestIdMiddleware:
    """Gives each request an id, in every log line written while answering it and in the
    X-Request-ID response header. An id from the operator's own proxy (with
    UNDERSIGNED_TRUSTED_PROXIES set) is kept, so one request can be followed through both."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        trusted = settings.TRUSTED_PROXIES and _REQUEST_ID.fullmatch(incoming)
        token = request_id.set(incoming if trusted else uuid.uuid4().hex)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id.get()
            return response
        finally:
            request_id.reset(token)


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
        if _OWNER_PATH.match(request.path_info):
            limit = settings.OWNER_MAX_BODY_BYTES
        elif _VERIFY_PATH.match(request.path_info):
            limit = settings.VERIFY_MAX_BYTES + 1024 * 1024
        else:
            limit = settings.PUBLIC_MAX_BODY_BYTES
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
