from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from undersigned.core.http import public_cache
from undersigned.deliveries.manifest import public_pem
from undersigned.deliveries.services import public_list_file
from undersigned.statements.selectors import public_statement_get


@public_cache
@require_http_methods(["GET", "HEAD"])
def export_key(request: HttpRequest) -> HttpResponse:
    """This instance's public key for export manifests (PEM), at a stable address."""
    return HttpResponse(public_pem(), content_type="application/x-pem-file")


@public_cache
@require_http_methods(["GET", "HEAD"])
def public_list(request: HttpRequest, slug: str, fmt: str) -> FileResponse:
    """The public list as CSV or JSON, or (?manifest=1) its signed manifest, when the owners
    offer it; the same file for everybody until the list changes."""
    statement = public_statement_get(slug=slug)
    if not statement.public_downloads:
        raise Http404("no downloads offered")
    path = public_list_file(statement=statement, fmt=fmt, language=request.LANGUAGE_CODE)
    if request.GET.get("manifest"):
        path = path.with_name(path.name + ".manifest.json")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
