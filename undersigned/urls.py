from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

admin.site.site_header = "undersigned"
admin.site.site_title = "undersigned"

urlpatterns = [
    path("admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="core/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("dashboard/s/<slug:slug>/import/", include("undersigned.imports.urls")),
    path("dashboard/s/<slug:slug>/review/", include("undersigned.moderation.urls")),
    path("", include("undersigned.signatures.urls")),
    path("", include("undersigned.statements.urls")),
    prefix_default_language=True,
)
