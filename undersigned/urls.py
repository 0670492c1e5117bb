from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from undersigned.accounts import views as account_views
from undersigned.api.api import api
from undersigned.core import views as core_views

admin.site.site_header = "undersigned"
admin.site.site_title = "undersigned"

# The pages in the reader's language come first, and among them the statement's own pages (its
# page, its signing forms): a surge is readers and signers, and Django tries the patterns in
# order. No other pattern starts with a language code, so the order changes no answer.
urlpatterns = i18n_patterns(
    path("", include("undersigned.signatures.urls")),
    path("accounts/login/", account_views.sign_in, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/reset/", account_views.PasswordResetView.as_view(), name="password_reset"
    ),
    path(
        "accounts/password/reset/sent/",
        account_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        account_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/", include("undersigned.accounts.urls")),
    path("dashboard/s/<slug:slug>/import/", include("undersigned.imports.urls")),
    path("dashboard/s/<slug:slug>/review/", include("undersigned.moderation.urls")),
    path("", include("undersigned.workspace.urls")),
    path("", include("undersigned.deliveries.public_urls")),
    path("", include("undersigned.api.urls")),
    prefix_default_language=True,
)
urlpatterns += [
    # One way in, with the throttling and the second factor: the platform's sign-in page.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="login", query_string=True),
        name="admin_login",
    ),
    path("admin/", admin.site.urls),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    # Browsers ask for /favicon.ico whatever the page says: the static file answers.
    path(
        "favicon.ico",
        RedirectView.as_view(url=f"{settings.STATIC_URL}undersigned/favicon.ico", permanent=True),
    ),
    path("", include("undersigned.operations.urls")),
    path("", include("undersigned.deliveries.urls")),
    path("api/v1/", api.urls),
]
