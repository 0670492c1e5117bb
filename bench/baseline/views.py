"""The least a Django signing view can do: a form with a CSRF token, and one INSERT."""

from django.http import HttpResponse, HttpResponseRedirect
from django.template import engines
from django.views.decorators.http import require_http_methods

from bench.baseline.models import BaselineRow

FORM = engines["django"].from_string(
    '<!doctype html><form method="post">{% csrf_token %}'
    '<input name="name"><input name="email"><button>Sign</button></form>'
)


@require_http_methods(["GET", "POST"])
def baseline(request):
    if request.method == "POST":
        BaselineRow.objects.create(
            name=request.POST.get("name", "")[:200], email=request.POST.get("email", "")[:254]
        )
        return HttpResponseRedirect("/bench/baseline/")
    return HttpResponse(FORM.render({}, request))
