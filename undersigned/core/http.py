"""Response helpers shared by the apps' views."""

from __future__ import annotations

from functools import wraps

from django.conf import settings

# Written whole rather than merged with patch_cache_control: these views set no other
# Cache-Control directive, and the signing path runs them on every request.
NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


def absolute_url(path: str) -> str:
    """A link for an email or a file: the configured address, never the Host of a request."""
    return settings.BASE_URL + path


def public_cache(view):
    """A public page: the same for everybody, so a reverse proxy or CDN may serve it for a few
    seconds (`s-maxage`). Browsers revalidate every time (`max-age=0`), so a signer who comes
    back to the page right after confirming does not see their own stale copy. Such pages set
    no cookie and show nothing that depends on who asks."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies:
            response["Cache-Control"] = (
                f"public, max-age=0, s-maxage={settings.PUBLIC_CACHE_SECONDS}"
            )
        else:
            response["Cache-Control"] = NO_STORE
        return response

    return wrapped


def no_store(view):
    """A page that carries a form token or a signer's own state: never stored by anyone."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = NO_STORE
        return response

    return wrapped
