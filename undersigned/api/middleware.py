from __future__ import annotations

from django.http import HttpRequest, JsonResponse


class ApiMethodMiddleware:
    """On /api/, a method other than GET, HEAD or OPTIONS gets a JSON 405 like every other API
    error (django-ninja answers it in plain text)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path_info.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow", "GET")
            response = JsonResponse({"detail": f"Only {allowed} is allowed here."}, status=405)
            response["Allow"] = allowed
        return response
