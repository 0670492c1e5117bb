from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

# Search engines may list statements and their lists, never a person's own links or the
# coordinators' pages (those need a sign-in anyway, and are marked noindex too).
ROBOTS = """User-agent: *
Disallow: /admin/
Disallow: /metrics
Disallow: /*/confirm/
Disallow: /*/manage/
Disallow: /*/dashboard/
Disallow: /*/accounts/
"""


@cache_control(public=True, max_age=86400)
@require_http_methods(["GET", "HEAD"])
def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse(ROBOTS, content_type="text/plain; charset=utf-8")


def csrf_failure(request, reason: str = ""):
    """A form sent without its security token: nothing was stored; say so plainly."""
    return render(request, "core/csrf_failure.html", status=403)
