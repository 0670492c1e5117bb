"""Response helpers shared by the apps' views."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control


def public_cache(view):
    """A public page: the same for everybody, so a reverse proxy or CDN may serve it for a few
    seconds (`s-maxage`). Browsers revalidate every time (`max-age=0`), so a signer who comes
    back to the page right after confirming does not see their own stale copy. Such pages set
    no cookie and show nothing that depends on who asks."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies:
            patch_cache_control(
                response, public=True, max_age=0, s_maxage=settings.PUBLIC_CACHE_SECONDS
            )
        else:
            add_never_cache_headers(response)
        return response

    return wrapped


def no_store(view):
    """A page that carries a form token or a signer's own state: never stored by anyone."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        return response

    return wrapped
