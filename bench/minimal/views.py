"""The least a Django signing view does: a form with a CSRF token, and one INSERT."""

from django.http import HttpResponse, HttpResponseRedirect
from django.template import engines
from django.views.decorators.http import require_http_methods

from bench.minimal.models import Row

FORM = engines["django"].from_string(
    '<!doctype html><form method="post">{% csrf_token %}'
    '<input name="name"><input name="email"><button>Sign</button></form>'
)


@require_http_methods(["GET", "POST"])
def sign(request):
    if request.method == "POST":
        Row.objects.create(
            name=request.POST.get("name", "")[:200], email=request.POST.get("email", "")[:254]
        )
        return HttpResponseRedirect("/sign/")
    return HttpResponse(FORM.render({}, request))
