from django.shortcuts import render


def csrf_failure(request, reason: str = ""):
    """A form sent without its security token: nothing was stored; say so plainly."""
    return render(request, "core/csrf_failure.html", status=403)
