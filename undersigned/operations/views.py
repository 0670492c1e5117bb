"""/healthz (the process answers), /readyz (it can serve: database, migrations, worker,
backlog) and /metrics (Prometheus, only with the operator's token)."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from undersigned.core.http import NO_STORE
from undersigned.operations.metrics import exposition
from undersigned.operations.selectors import readiness


def _plain(body: str, status: int = 200, content_type: str = "application/json") -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=content_type)
    response["Cache-Control"] = NO_STORE
    return response


@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> HttpResponse:
    return _plain(json.dumps({"alive": True}))


@require_http_methods(["GET", "HEAD"])
def readyz(request: HttpRequest) -> HttpResponse:
    checks = readiness()
    ready = all(check.ok for check in checks.values())
    body = {
        "ready": ready,
        "checks": {name: {"ok": c.ok, "detail": c.detail} for name, c in checks.items()},
    }
    return _plain(json.dumps(body), status=200 if ready else 503)


@require_http_methods(["GET"])
def metrics(request: HttpRequest) -> HttpResponse:
    """Off (404) unless UNDERSIGNED_METRICS_TOKEN is set; then only with that bearer token."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("metrics are off")
    given = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        response = _plain("", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return _plain(exposition().decode(), content_type="text/plain; version=0.0.4")
