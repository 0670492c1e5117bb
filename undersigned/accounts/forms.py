from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        error_messages={"required": _("Enter the code.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )


class PasswordResetRequestForm(PasswordResetForm):
    """Django's form, with the email queued as a job (services) instead of sent here."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Enter the email address of your account.")},
    )

    def save(self, *args, **kwargs) -> None:
        from django.utils.translation import get_language

        from undersigned.accounts.services import password_reset_request

        password_reset_request(
            users=list(self.get_users(self.cleaned_data["email"])), language=get_language()
        )
