from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "undersigned"
admin.site.site_title = "undersigned"

urlpatterns = [
    path("admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", include("undersigned.signatures.urls")),
    path("", include("undersigned.statements.urls")),
    prefix_default_language=True,
)
