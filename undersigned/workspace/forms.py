"""Forms of the coordinators' workspace. They validate what people type; services act."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from undersigned.signatures.forms import SignerEmailField
from undersigned.statements.models import Membership


class InviteForm(forms.Form):
    email = SignerEmailField(
        label=_("Email of the person you invite"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Membership.Role.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Owner: everything, and inviting others. Editor: texts and settings, not the "
            "review. Moderator: the review and the entries, not the texts."
        ),
        error_messages={"required": _("Choose a role.")},
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation email"), choices=settings.LANGUAGES
    )


class JoinForm(UserCreationForm):
    """A new coordinator's account, made from an invitation (the email is the invitation's)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "username"
