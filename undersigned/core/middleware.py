"""Answers given before a view runs, or instead of a server error."""

from __future__ import annotations

import logging
import re
import uuid

import csp.middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.signals import setting_changed
from django.db import OperationalError
from django.shortcuts import render
from django.utils.module_loading import import_string

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


_PER_RESPONSE_POLICY = (
    "_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro",
)  # fmt: skip


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware, with the site's own policy built once per process instead of
    twice a response (building it took about a tenth of a signing request's time). A response
    with nothing of its own (no csp decorator or attribute, no nonce asked for, no excluded
    prefix configured) gets the header django-csp built from the settings; any other goes
    through django-csp as before. The policy is built again when the settings change."""

    _built: tuple[str, str] | None = None

    @classmethod
    def forget(cls, **_kwargs) -> None:
        cls._built = None

    @classmethod
    def site_policy(cls) -> tuple[str, str]:
        """(policy, report-only policy) of the settings, '' where none is set."""
        if cls._built is None:
            cls._built = (build_policy(), build_policy(report_only=True))
        return cls._built

    def process_response(self, request, response):
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_RESPONSE_POLICY)
            or (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get(
                "EXCLUDE_URL_PREFIXES"
            )
            or (getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or {}).get(
                "EXCLUDE_URL_PREFIXES"
            )
        ):
            return super().process_response(request, response)
        policy, report_only = self.site_policy()
        if policy and HEADER not in response:
            response[HEADER] = policy
        if report_only and HEADER_REPORT_ONLY not in response:
            response[HEADER_REPORT_ONLY] = report_only
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = csp.middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


setting_changed.connect(CSPMiddleware.forget)


# The signing forms, on the statement's page and in its embed: /<lang>/s/<slug>/sign/<kind>/
# and /<lang>/embed/s/<slug>/sign/.
_SIGNING_PATH = re.compile(
    r"^/[a-z]{2}(?:-[a-z]+)?/(?:s/[-a-zA-Z0-9_]+/sign/(?:individual|organization)/"
    r"|embed/s/[-a-zA-Z0-9_]+/sign/)$"
)


class SignedInMiddleware:
    """The middleware of people who sign in, run as one group: sessions, the signed-in user,
    the second factor, messages and django-axes (settings.SIGNED_IN_MIDDLEWARE, in that order).
    The signing forms use none of them (the form page is the same for everyone, the POST
    stores a submission and redirects), so a request for one skips the group and its user is
    anonymous: under a surge those are nearly all the requests, and the group cost them about
    a tenth of their time. Every other request goes through the whole group as before.

    Django's checks look for these classes in MIDDLEWARE, where they no longer are:
    settings.SILENCED_SYSTEM_CHECKS names the checks this group stands for."""

    def __init__(self, get_response):
        self.get_response = get_response
        handler = get_response
        for path in reversed(settings.SIGNED_IN_MIDDLEWARE):
            handler = import_string(path)(handler)
        self.signed_in = handler

    def __call__(self, request):
        if _SIGNING_PATH.match(request.path_info):
            request.user = AnonymousUser()
            return self.get_response(request)
        return self.signed_in(request)
