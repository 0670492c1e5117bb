"""The public API, read-only, at /api/v1/ (django-ninja): statements and their texts, counts by
kind and by country, the public list paged by a signed cursor (never by offset), deliveries and
text versions. OpenAPI 3.1 at /api/v1/openapi.json, documentation at /api/v1/docs (served from
this server's own static files).

It answers with exactly what the public pages show: the selectors below are the public pages'
own. No email, no signer who asked not to be named, nothing pending, in review, rejected,
withdrawn or invalidated. GET is open to any origin (CORS, settings); every answer carries an
ETag and a short public cache lifetime, and a client that sends If-None-Match gets 304. Each
network may ask API_PER_MINUTE times a minute; past it, 429 with Retry-After."""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.cache import patch_cache_control
from django_countries import countries
from ninja import File, NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.throttling import AnonRateThrottle

from undersigned.api.models import ApiToken
from undersigned.api.tokens import TokenAuth
from undersigned.core.net import client_ip, network_hash
from undersigned.deliveries.models import Export
from undersigned.deliveries.selectors import public_deliveries
from undersigned.deliveries.services import export_folder
from undersigned.imports.files import UnreadableList, read_list, too_big_message
from undersigned.imports.services import ImportRefused, signatures_import
from undersigned.signatures.models import Signature
from undersigned.signatures.selectors import list_page, tally_for
from undersigned.statements.models import Statement
from undersigned.statements.selectors import public_revisions, public_statement_get

CACHE_SECONDS = 15
# The site's languages, as the schema's list of allowed values.
Language = Literal[tuple(code for code, _name in settings.LANGUAGES)]  # type: ignore[valid-type]
PAGE_MAX = 200
_CURSOR_SALT = "undersigned.api.cursor"


class NetworkThrottle(AnonRateThrottle):
    """API_PER_MINUTE requests a minute per network (an IPv4 address, or an IPv6 /64), so one
    host cannot dodge the limit by walking its own addresses."""

    def __init__(self) -> None:
        super().__init__("1/m")

    def allow_request(self, request: HttpRequest) -> bool:
        # The rate is read at each request, so it follows the setting (and tests' overrides).
        self.num_requests, self.duration = self.parse_rate(f"{settings.API_PER_MINUTE}/m")
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        return f"api-throttle-{network_hash(client_ip(request))}"


class PublicApi(NinjaAPI):
    def create_response(self, request, data, *args, status=None, **kwargs) -> HttpResponse:
        """Every successful GET gets an ETag (of its body) and a public cache lifetime; a client
        that already has that body gets 304."""
        response = super().create_response(request, data, *args, status=status, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
            response["ETag"] = etag
            patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
            if etag in request.headers.get("If-None-Match", ""):
                not_modified = HttpResponseNotModified()
                not_modified["ETag"] = etag
                patch_cache_control(not_modified, public=True, max_age=CACHE_SECONDS)
                return not_modified
        return response


api = PublicApi(
    title="undersigned public API",
    version="1",
    description=(
        "Read-only figures and lists of the statements this server publishes: exactly what "
        "their public pages show, nothing private."
    ),
    urls_namespace="api",
    throttle=[NetworkThrottle()],
)


class Counts(Schema):
    organizations: int
    individuals_named: int
    individuals_unnamed: int
    total: int
    goal: int | None
    refreshed: datetime | None


class CountryCount(Schema):
    country: str
    name: str
    organizations: int
    individuals_named: int


class CountsByCountry(Counts):
    by_country: list[CountryCount]


class StatementOut(Schema):
    slug: str
    reference: str
    kind: str
    state: str
    default_language: str
    languages: list[str]
    goal: int | None
    opens_at: datetime | None
    closes_at: datetime | None
    url: str
    counts: Counts


class TextOut(Schema):
    language: str
    title: str
    body_html: str
    version: str
    updated: datetime


class StatementDetail(StatementOut):
    texts: list[TextOut]


class StatementPage(Schema):
    items: list[StatementOut]
    next_cursor: str | None


class Signatory(Schema):
    number: int
    kind: str
    name: str
    acronym: str
    country: str
    affiliation: str
    website: str
    domain_confirmed: bool
    initial: bool


class SignatoryPage(Schema):
    items: list[Signatory]
    next_cursor: str | None


class DeliveryOut(Schema):
    sent: datetime
    addressees: int
    names: list[str]
    organizations: int
    individuals: int
    texts: dict[str, str]


class VersionOut(Schema):
    language: str
    version: str
    title: str
    public_since: datetime
    note: str


class Problem(Schema):
    detail: str


def _statement(slug: str) -> Statement:
    try:
        return public_statement_get(slug=slug)
    except Http404:
        raise HttpError(404, "No public statement has this slug.") from None


@functools.lru_cache(maxsize=16)
def _country_names(language: str) -> dict[str, str]:
    """Every country's name in `language`, made once per process and language."""
    with translation.override(language):
        return {code: str(name) for code, name in countries}


def _counts(statement: Statement) -> dict:
    tally = tally_for(statement)
    return {
        "organizations": tally.organizations,
        "individuals_named": tally.individuals_named,
        "individuals_unnamed": tally.individuals_unnamed,
        "total": tally.total,
        "goal": statement.goal,
        "refreshed": tally.refreshed,
    }


def _statement_out(statement: Statement) -> dict:
    return {
        "slug": statement.slug,
        "reference": statement.reference,
        "kind": statement.kind,
        "state": statement.state,
        "default_language": statement.default_language,
        "languages": sorted(t.language for t in statement.texts.all()),
        "goal": statement.goal,
        "opens_at": statement.opens_at,
        "closes_at": statement.closes_at,
        "url": f"{settings.BASE_URL}/{statement.default_language}/s/{statement.slug}/",
        "counts": _counts(statement),
    }


def _cursor_read(cursor: str | None, kind: str) -> int:
    """The value a cursor stands for; 400 for one that is malformed, forged or of another
    list."""
    if not cursor:
        return 0
    try:
        cursor_kind, value = signing.loads(cursor, salt=_CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise HttpError(400, "This cursor is not valid: use next_cursor as given.") from None
    if cursor_kind != kind or not isinstance(value, int) or value < 0:
        raise HttpError(400, "This cursor belongs to another list.")
    return value


def _cursor(kind: str, value: int) -> str:
    return signing.dumps([kind, value], salt=_CURSOR_SALT)


class ValidationProblem(Schema):
    detail: list[dict]


ERRORS = {400: Problem, 404: Problem, 422: ValidationProblem, 429: Problem}
OWNER_ERRORS = {**ERRORS, 401: Problem}


@api.get("/statements", response={200: StatementPage, **ERRORS}, summary="Public statements")
def statements(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=PAGE_MAX),
):
    """Open and closed statements, newest first, `limit` at a time; pass `next_cursor` back as
    `cursor` for the next page."""
    after = _cursor_read(cursor, "statements")
    rows = Statement.objects.exclude(state=Statement.State.DRAFT).prefetch_related("texts")
    if after:
        rows = rows.filter(pk__lt=after)
    page = list(rows.order_by("-pk")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {
        "items": [_statement_out(s) for s in page],
        "next_cursor": _cursor("statements", page[-1].pk) if more else None,
    }


@api.get("/statements/{slug}", response={200: StatementDetail, **ERRORS}, summary="A statement")
def statement(request: HttpRequest, slug: str):
    """One statement with its text in each language (sanitized HTML)."""
    found = _statement(slug)
    return _statement_out(found) | {
        "texts": [
            {
                "language": t.language,
                "title": t.title,
                "body_html": t.body_html,
                "version": t.version,
                "updated": t.updated,
            }
            for t in sorted(found.texts.all(), key=lambda t: t.language)
        ],  # fmt: skip
    }


@api.get("/statements/{slug}/counts", response={200: CountsByCountry, **ERRORS},
         summary="Counts by kind and by country")  # fmt: skip
def counts(request: HttpRequest, slug: str, language: Language = "en"):  # type: ignore[valid-type]
    """The counts, and by country the organizations and named individuals (people who asked not
    to be named are counted in the totals only). Country names are in `language`."""
    found = _statement(slug)
    tally = tally_for(found)
    names = _country_names(language)
    by_country = [
        {"country": code, "name": names.get(code, code), "organizations": orgs,
         "individuals_named": people}
        for code, orgs, people in tally.countries()
    ]  # fmt: skip
    return _counts(found) | {"by_country": by_country}


@api.get("/statements/{slug}/signatories", response={200: SignatoryPage, **ERRORS},
         summary="The public list")  # fmt: skip
def signatories(
    request: HttpRequest,
    slug: str,
    kind: Literal["organization", "individual"] = "organization",
    cursor: str | None = None,
    limit: int = Query(100, ge=1, le=PAGE_MAX),
):
    """The listed organizations or named individuals in list order, `limit` at a time; pass
    `next_cursor` back as `cursor` for the next page."""
    found = _statement(slug)
    start = _cursor_read(cursor, kind) or 1
    page = list_page(statement=found, kind=kind, start=start, size=limit)
    return {
        "items": [_signatory(s) for s in page.entries],
        "next_cursor": _cursor(kind, page.next_start) if page.next_start else None,
    }


def _signatory(s: Signature) -> dict:
    return {
        "number": s.position,
        "kind": s.kind,
        "name": s.name,
        "acronym": s.acronym,
        "country": s.country.code or "",
        "affiliation": s.affiliation,
        "website": s.website,
        "domain_confirmed": s.domain_confirmed,
        "initial": s.initial,
    }


@api.get("/statements/{slug}/deliveries", response={200: list[DeliveryOut], **ERRORS},
         summary="Deliveries to the addressees")  # fmt: skip
def deliveries(request: HttpRequest, slug: str):
    """Each delivery that reached its addressees: when, how many (named where the owners chose
    so), the counts it carried and the text versions."""
    return [vars(d) for d in public_deliveries(_statement(slug))]


@api.get("/statements/{slug}/versions", response={200: list[VersionOut], **ERRORS},
         summary="Public versions of the text")  # fmt: skip
def versions(request: HttpRequest, slug: str):
    """Every version of each text that was public, oldest first, with its change note."""
    history = public_revisions(_statement(slug))
    return [
        {"language": r.language, "version": r.version, "title": r.title,
         "public_since": r.public_since, "note": r.note}
        for language in sorted(history)
        for r in history[language]
    ]  # fmt: skip


# --- The owners' part: their own tools, with a scoped token (tokens.py) ---------------------


class ExportOut(Schema):
    id: int
    format: str
    scope: str
    language: str
    status: str
    created: datetime
    sha256: str
    bytes: int
    file: str | None
    manifest: str | None


class ImportOut(Schema):
    batch: int
    count: int
    published: bool
    notes: list[str]


def _owned(request: HttpRequest, slug: str) -> Statement:
    """The token's own statement; any other slug is not found (whether or not it exists)."""
    token = request.auth  # type: ignore[attr-defined]
    if token.statement.slug != slug:
        raise HttpError(404, "This token is for another statement.")
    return token.statement


@api.get("/owner/statements/{slug}/exports", response={200: list[ExportOut], **OWNER_ERRORS},
         auth=TokenAuth(ApiToken.Scope.EXPORTS_READ), summary="Your exports")  # fmt: skip
def owner_exports(request: HttpRequest, slug: str):
    """The statement's exports made from the workspace (newest first), with the addresses of
    each file and its signed manifest once made. Scope: exports:read."""
    statement = _owned(request, slug)
    items = []
    for export in Export.objects.filter(statement=statement)[:100]:
        done = export.status == Export.Status.DONE
        base = f"/api/v1/owner/statements/{slug}/exports/{export.pk}"
        items.append({
            "id": export.pk, "format": export.format, "scope": export.scope,
            "language": export.language, "status": export.status, "created": export.created,
            "sha256": export.sha256, "bytes": export.size,
            "file": f"{base}/file" if done else None,
            "manifest": f"{base}/file?manifest=true" if done else None,
        })  # fmt: skip
    return items


@api.get("/owner/statements/{slug}/exports/{export_id}/file", response={200: None, **OWNER_ERRORS},
         auth=TokenAuth(ApiToken.Scope.EXPORTS_READ), summary="An export's file")  # fmt: skip
def owner_export_file(request: HttpRequest, slug: str, export_id: int, manifest: bool = False):
    """The file of an export, or its signed manifest. Scope: exports:read."""
    statement = _owned(request, slug)
    export = Export.objects.filter(statement=statement, pk=export_id,
                                   status=Export.Status.DONE).first()  # fmt: skip
    if export is None:
        raise HttpError(404, "No finished export has this id.")
    name = export.file_name + (".manifest.json" if manifest else "")
    path = export_folder(export) / name
    if not path.is_file():
        raise HttpError(404, "The file is gone.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


@api.post("/owner/statements/{slug}/imports", response={201: ImportOut, **OWNER_ERRORS},
          auth=TokenAuth(ApiToken.Scope.IMPORTS_WRITE), summary="Import a list")  # fmt: skip
def owner_import(request: HttpRequest, slug: str, file: UploadedFile = File(...)):  # noqa: B008
    """A list (CSV, XLSX or text, as on the workspace's import page) imported into the
    statement, kept off the public list until an owner publishes it from the workspace.
    Scope: imports:write."""
    statement = _owned(request, slug)
    if file.size is None or file.size > settings.IMPORT_MAX_BYTES:
        raise HttpError(400, too_big_message())
    try:
        parsed = read_list(file.read(), file.name or "")
        token = request.auth  # type: ignore[attr-defined]
        batch = signatures_import(
            statement=statement, entries=parsed.entries, actor_label=f"token {token.prefix}",
            source_name=file.name or "", encoding=parsed.encoding, publish=False,
        )  # fmt: skip
    except (UnreadableList, ImportRefused) as problem:
        raise HttpError(400, str(problem)) from None
    return Status(
        201,
        {
            "batch": batch.pk,
            "count": batch.count,
            "published": False,
            "notes": [note.message(parsed.entries) for note in parsed.notes][:100],
        },
    )
