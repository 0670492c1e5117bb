"""Pages rendered once and then served from this process's memory.

A page that is the same for every visitor (the statement with its counts and list, the signing
form before anything is typed) is rendered once per version of what it shows: the cache key
names every input that can change it, so nothing is ever served stale and nothing needs
invalidating. The only per-visitor part of such a page, the CSRF token of a form, is written
into the stored copy on the way out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

# Stands for the CSRF token in a stored page; rendered through {% csrf_token %}.
CSRF_SLOT = "csrf-slot-7b1e0c5d9a"
CACHE_SECONDS = 600


def cached_page(
    request: HttpRequest,
    key: tuple,
    render: Callable[[dict], str],
    *,
    with_form: bool = False,
    per_visitor: dict[str, str] | None = None,
) -> HttpResponse:
    """The page for `key`, rendered by `render(extra_context)` on a miss. With `with_form`, the
    page carries this visitor's CSRF token (and the response sets the CSRF cookie).
    `per_visitor` maps placeholders the page was rendered with to this visitor's values."""
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:40]
    cache_key = f"page:{digest}"
    html = cache.get(cache_key)
    if html is None:
        html = render({"csrf_token": CSRF_SLOT} if with_form else {})
        cache.set(cache_key, html, CACHE_SECONDS)
    if with_form:
        html = html.replace(CSRF_SLOT, get_token(request))
    for placeholder, value in (per_visitor or {}).items():
        html = html.replace(placeholder, value)
    return HttpResponse(html)
