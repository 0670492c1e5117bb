"""Sign in (password, then the second factor where the account has one), the second factor's
own page, and the password reset pages."""

from __future__ import annotations

from base64 import b32encode
from typing import cast
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from undersigned.accounts.forms import CodeForm, PasswordResetRequestForm
from undersigned.accounts.services import (
    login_failure_record,
    login_record,
    password_reset_record,
    recovery_codes_left,
    recovery_codes_new,
    two_factor_check,
    two_factor_confirm,
    two_factor_device,
    two_factor_disable,
    two_factor_start,
)
from undersigned.core.http import no_store

PENDING = "accounts.pending_user"
PENDING_FAILURES = "accounts.pending_failures"
# Wrong codes allowed after one right password; then the password must be given again (and
# django-axes counts those).
MAX_CODE_FAILURES = 5
WRONG_CODE = gettext_lazy("That code is not right. Try the current one from your app.")


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@no_store
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next(request))
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            if two_factor_device(user) is not None:
                request.session.cycle_key()
                request.session[PENDING] = user.pk
                request.session[BACKEND_SESSION_KEY + ".pending"] = getattr(user, "backend", "")
                request.session[PENDING_FAILURES] = 0
                return redirect(f"{resolve_url('accounts:verify')}?next={quote(_next(request))}")
            login(request, user)
            login_record(user=user)
            return redirect(_next(request))
        known = (
            get_user_model().objects.filter(username=request.POST.get("username", "")[:150]).first()
        )
        if known is not None:
            login_failure_record(user=known, step="password")
    return render(request, "core/login.html", {"form": form, "next": _next(request)})


@no_store
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app or a recovery code."""
    user = get_user_model().objects.filter(pk=request.session.get(PENDING, 0)).first()
    if user is None:
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, how = two_factor_check(user=user, code=form.cleaned_data["code"])
        if device is not None:
            backend = request.session.get(BACKEND_SESSION_KEY + ".pending")
            login(request, user, backend=backend)
            otp_login(request, device)
            login_record(user=user, second_factor=how)
            if how == "recovery_code":
                messages.warning(
                    request,
                    _("You signed in with a recovery code; %(n)d are left.")
                    % {"n": recovery_codes_left(user)},
                )
            return redirect(_next(request))
        login_failure_record(user=user, step="second_factor")
        failures = request.session.get(PENDING_FAILURES, 0) + 1
        if failures >= MAX_CODE_FAILURES:
            request.session.flush()
            return redirect("login")
        request.session[PENDING_FAILURES] = failures
        form.add_error("code", WRONG_CODE)
    return render(request, "accounts/verify.html", {"form": form, "next": _next(request)})


def _qr_data_uri(device: TOTPDevice) -> tuple[str, str]:
    """The authenticator's QR code (an SVG data URI, made here) and its key as text."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    qr = segno.make(device.config_url, error="m")
    return qr.svg_data_uri(scale=5, dark="#111", light="#fff"), secret


@no_store
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up, replace or turn off the second factor; make new recovery codes."""
    user = cast(User, request.user)  # login_required
    action = request.POST.get("action", "") if request.method == "POST" else ""
    device = two_factor_device(user)
    context: dict = {"device": device, "form": CodeForm(), "required": settings.REQUIRE_TWO_FACTOR}
    if action == "start":
        pending = two_factor_start(user=user)
        context["qr"], context["secret"] = _qr_data_uri(pending)
        context["setting_up"] = True
    elif action == "confirm":
        form = CodeForm(request.POST)
        codes = None
        if form.is_valid():
            codes = two_factor_confirm(user=user, token=form.cleaned_data["code"])
            if codes is None:
                form.add_error("code", WRONG_CODE)
        if codes is not None:
            device = two_factor_device(user)
            otp_login(request, device)
            context.update(device=device, codes=codes)
        else:
            pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
            if pending is None:
                return redirect("accounts:two_factor")
            context["qr"], context["secret"] = _qr_data_uri(pending)
            context.update(setting_up=True, form=form)
    elif action == "disable" and device is not None and settings.REQUIRE_TWO_FACTOR:
        # Refused before any code is checked, so a recovery code is not spent for nothing.
        messages.error(request, _("This site requires a second factor: replace it instead."))
        return redirect("accounts:two_factor")
    elif action in ("disable", "codes") and device is not None:
        form = CodeForm(request.POST)
        checked = form.is_valid() and two_factor_check(user=user, code=form.cleaned_data["code"])[0]
        if checked and action == "disable":
            two_factor_disable(user=user)
            messages.success(request, _("Two-step sign-in is off."))
            return redirect("accounts:two_factor")
        if checked:
            context["codes"] = recovery_codes_new(user=user)
        else:
            if form.is_valid():
                form.add_error("code", WRONG_CODE)
            context["form"], context["confirming"] = form, action
    if device is not None and "codes" not in context:
        context["codes_left"] = recovery_codes_left(user)
    return render(request, "accounts/two_factor.html", context)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        password_reset_record(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """What django-axes answers once an account or a network has too many failed sign-ins."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
