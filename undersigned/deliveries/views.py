from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from undersigned.core.http import public_cache
from undersigned.deliveries.manifest import public_pem


@public_cache
@require_http_methods(["GET", "HEAD"])
def export_key(request: HttpRequest) -> HttpResponse:
    """This instance's public key for export manifests (PEM), at a stable address."""
    return HttpResponse(public_pem(), content_type="application/x-pem-file")
