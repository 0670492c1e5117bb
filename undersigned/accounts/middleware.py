"""With UNDERSIGNED_REQUIRE_TWO_FACTOR=True, a signed-in coordinator opens the dashboard and the
admin only after proving the second factor in this session; one without any is sent to set it
up first."""

from __future__ import annotations

import re

from django.conf import settings
from django.shortcuts import redirect

_PROTECTED = re.compile(r"^/(?:admin/|[a-z]{2}(?:-[a-z]+)?/dashboard/)")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_TWO_FACTOR
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and _PROTECTED.match(request.path_info)
        ):
            return redirect("accounts:two_factor")
        return self.get_response(request)
