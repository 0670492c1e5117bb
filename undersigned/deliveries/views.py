from __future__ import annotations

import json

from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from undersigned.core.http import no_store, public_cache
from undersigned.deliveries.forms import VerifyForm
from undersigned.deliveries.manifest import ManifestProblem, public_pem, verify
from undersigned.deliveries.models import Delivery
from undersigned.deliveries.sending import file_token_valid, folder
from undersigned.deliveries.services import public_list_file
from undersigned.deliveries.updates import signature_for_stop_token, updates_stop
from undersigned.statements.selectors import public_statement_get, statement_text_for


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


@csrf_exempt  # the form is checked below, once the upload handlers are set
@no_store
@require_http_methods(["GET", "HEAD", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    """Anyone may check exported files against their signed manifest. The uploads are held in
    memory for this request only (never written to disk) and nothing is stored."""
    request.upload_handlers = [MemoryFileUploadHandler(request)]
    return _verify(request)


@csrf_protect
def _verify(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    context: dict = {"form": form, "key_url": reverse("export_key")}
    if request.method == "POST" and form.is_valid():
        manifest_bytes = form.cleaned_data["manifest"].read()
        files = {upload.name: upload.read() for upload in form.cleaned_data["files"]}
        try:
            context["checks"] = verify(manifest_bytes, files)
            context["manifest"] = json.loads(manifest_bytes)
            generated = context["manifest"].get("generated")
            context["generated"] = parse_datetime(generated) if isinstance(generated, str) else None
        except ManifestProblem as problem:
            context["problem"] = str(problem)
        context["all_ok"] = bool(context.get("checks")) and all(
            check.ok for check in context["checks"]
        )
    return render(request, "deliveries/verify.html", context, status=200)


@no_store
@require_http_methods(["GET", "HEAD"])
def delivered_file(request: HttpRequest, pk: int, token: str, name: str) -> FileResponse:
    """A file of a delivery too large to attach, at the unguessable address its email gave."""
    delivery = Delivery.objects.select_related("statement").filter(pk=pk).first()
    if (
        delivery is None
        or delivery.status not in (Delivery.Status.SENDING, Delivery.Status.DONE)
        or name not in {f["name"] for f in delivery.files}
        or not file_token_valid(delivery, name, token)
    ):
        raise Http404("no such file")
    path = folder(delivery) / name
    if not path.is_file():
        raise Http404("the file is gone")
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


@csrf_exempt  # RFC 8058: mail programs POST without a cookie; the token is the authority
@no_store
@require_http_methods(["GET", "HEAD", "POST"])
def stop_updates(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and changes nothing (mail scanners follow links); POST, from the
    button or from a mail program's one-click unsubscribe, stops the updates."""
    signature = signature_for_stop_token(token)
    if signature is None:
        return render(request, "deliveries/stop_updates.html", {"invalid": True}, status=404)
    stopped = False
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        updates_stop(signature=signature, one_click=one_click)
        stopped = True
    return render(
        request,
        "deliveries/stop_updates.html",
        {"stopped": stopped, "title": _statement_title(signature), "token": token},
    )


def _statement_title(signature) -> str:
    choice = statement_text_for(signature.statement, get_language())
    return choice.text.title if choice else signature.statement.slug
