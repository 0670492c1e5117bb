"""Signing forms. They validate and clean what people type; the rules live in services."""

from __future__ import annotations

import copy
import time
import unicodedata

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from undersigned.signatures.abuse import NO_PROOF_OF_WORK, form_flags
from undersigned.signatures.normalize import (
    clean_name,
    has_forbidden_characters,
    has_visible_letter,
)
from undersigned.signatures.pow import CHALLENGE_SLOT, solution_check


def _country_choices():
    return [("", _("Choose a country"))] + [(code, name) for code, name in countries]


class CountryChoiceField(forms.ChoiceField):
    """The ISO 3166 list, in the page's language. Checked by code, not by walking the list."""

    def __init__(self, **kwargs):
        super().__init__(choices=_country_choices, **kwargs)

    def valid_value(self, value) -> bool:
        return bool(value) and value in countries


class NameField(forms.CharField):
    """A name as typed by a person: one line, printable, with at least one letter or digit."""

    def __init__(self, *, max_length: int = 200, **kwargs):
        super().__init__(max_length=max_length, strip=True, **kwargs)

    def clean(self, value):
        if value and has_forbidden_characters(value):
            raise forms.ValidationError(
                _("Use a single line without control characters."), code="forbidden"
            )
        value = super().clean(value)
        if value:
            value = clean_name(value)
            if not has_visible_letter(value):
                raise forms.ValidationError(_("Enter a name with letters."), code="no_letters")
        return value


class SignerEmailField(forms.EmailField):
    def to_python(self, value):
        # Full-width and other compatibility forms become their plain equivalents.
        value = super().to_python(value)
        return unicodedata.normalize("NFKC", value) if value else value

    def validate(self, value):
        # Quoted local parts and bracketed IP domains are valid in the RFC but used by nobody
        # who signs in good faith: each spelling of one mailbox would look like another signer.
        if value and ('"' in value or "\\" in value or value.rstrip().endswith("]")):
            raise forms.ValidationError(
                _(
                    "Enter your address as you would give it to a person, without quotation "
                    "marks, backslashes or an IP address in brackets."
                ),
                code="quoted",
            )
        super().validate(value)


def form_timestamp(at: float | None = None) -> str:
    """A signed record of when a form was shown, carried in the form."""
    return signing.dumps(at if at is not None else time.time(), salt=TIMESTAMP_SALT)


def seconds_since_shown(value: str) -> float | None:
    """Seconds since the form carrying `value` was shown; None if missing or forged."""
    try:
        shown = signing.loads(value, salt=TIMESTAMP_SALT, max_age=7 * 24 * 3600)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return time.time() - float(shown)


TIMESTAMP_SALT = "undersigned.sign-form.rendered"
# Stands for the timestamp in a stored copy of the form page (see core/pagecache.py).
RENDERED_SLOT = "rendered-slot-4c2a9e"


class _FieldsCopiedShallow(dict):
    """A signing form class's fields. Django deep-copies a form class's fields for every form
    (widgets, error messages, choices), which was a tenth of a signing request's time; these
    are copied one level only, so each form has its own field objects (their `initial` is set
    per form) and all forms share the widgets, which nothing changes after the class is made.
    """

    def __deepcopy__(self, memo):
        return {name: copy.copy(field) for name, field in self.items()}


class _SignFormMetaclass(forms.forms.DeclarativeFieldsMetaclass):
    def __new__(mcs, name, bases, attrs):
        cls = super().__new__(mcs, name, bases, attrs)
        # Autofill (WCAG 1.3.5): each field says what it holds; set once, on the class.
        for field, token in cls.autocomplete.items():
            cls.base_fields[field].widget.attrs["autocomplete"] = token
        cls.base_fields = _FieldsCopiedShallow(cls.base_fields)
        return cls


class SignForm(forms.Form, metaclass=_SignFormMetaclass):
    autocomplete: dict[str, str] = {}
    text_version = forms.CharField(widget=forms.HiddenInput, max_length=16)
    # When the form was shown (too-fast submissions are flagged) and a field people never see
    # (bots fill it in). Neither ever produces an error: they only classify.
    rendered = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    # Proof of work, where the statement asks for it (see moderation/pow.py): the challenge
    # the page carried and the browser's solution. Like the fields above, they only classify.
    challenge = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)
    work = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    # Apart from the signature, never ticked in advance (deliveries.updates).
    wants_updates = forms.BooleanField(
        label=_("Tell me when this statement is delivered or updated"),
        help_text=_("Optional. One email each time; every email has a link to stop them."),
        required=False,
    )

    def __init__(self, *args, current_version: str, pow_statement_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_version = current_version
        self.pow_statement_id = pow_statement_id
        self.fields["text_version"].initial = current_version
        self.fields["rendered"].initial = RENDERED_SLOT
        self.fields["challenge"].initial = CHALLENGE_SLOT
        # The nonce of a solved challenge, to be spent with the submission.
        self.challenge_nonce: str | None = None

    def abuse_flags(self) -> tuple[str, ...]:
        """What the hidden fields say about the submission (see moderation/abuse.py)."""
        flags = form_flags(
            honeypot=self.cleaned_data.get("homepage", ""),
            elapsed=seconds_since_shown(self.cleaned_data.get("rendered", "")),
        )
        if self.pow_statement_id is not None:
            self.challenge_nonce = solution_check(
                challenge=self.cleaned_data.get("challenge", ""),
                solution=self.cleaned_data.get("work", ""),
                statement_id=self.pow_statement_id,
            )
            if self.challenge_nonce is None:
                flags.append(NO_PROOF_OF_WORK)
        return tuple(flags)

    def clean_text_version(self):
        value = self.cleaned_data["text_version"]
        if value != self.current_version:
            raise forms.ValidationError(
                _(
                    "The text of this statement changed while you were reading it. "
                    "Please read the current text above and sign again."
                ),
                code="text_changed",
            )
        return value


class IndividualSignForm(SignForm):
    name = NameField(label=_("Your name"))
    country = CountryChoiceField(label=_("Country"))
    affiliation = NameField(
        label=_("Title or affiliation (optional)"),
        required=False,
        help_text=_("For example: teacher, or member of a local association."),
    )
    email = SignerEmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("We send a link to confirm your signature. It is never published."),
    )
    visibility = forms.ChoiceField(
        label=_("On the public list"),
        widget=forms.RadioSelect,
        choices=[
            ("show", _("Show my name")),
            ("hide", _("Count me without showing my name")),
        ],
        error_messages={"required": _("Choose whether your name is shown.")},
    )
    field_order = ["name", "country", "affiliation", "email", "visibility", "wants_updates"]
    autocomplete = {
        "name": "name",
        "country": "country",
        "affiliation": "organization-title",
        "email": "email",
    }


class OrganizationSignForm(SignForm):
    name = NameField(label=_("Organization name"))
    acronym = NameField(label=_("Acronym (optional)"), required=False, max_length=30)
    country = CountryChoiceField(label=_("Country"))
    website = forms.URLField(
        label=_("Website (optional)"), required=False, max_length=200, assume_scheme="https"
    )
    contact_name = NameField(
        label=_("Contact person"), help_text=_("Not published. Only the coordinators see it.")
    )
    contact_role = NameField(label=_("Contact person's role"), max_length=100)
    email = SignerEmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("We send a link to confirm the signature. It is never published."),
    )
    field_order = [
        "name",
        "acronym",
        "country",
        "website",
        "contact_name",
        "contact_role",
        "email",
        "wants_updates",
    ]
    autocomplete = {
        "name": "organization",
        "acronym": "off",
        "country": "country",
        "website": "url",
        "contact_name": "name",
        "contact_role": "organization-title",
        "email": "email",
    }


class EntryEditForm(forms.Form):
    """An owner's correction of a listed entry's public details."""

    name = NameField(label=_("Name"))
    acronym = forms.CharField(label=_("Acronym"), required=False, max_length=30)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=_country_choices)
    affiliation = forms.CharField(label=_("Title or affiliation"), required=False, max_length=200)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Kept in the audit log with the change."),
        error_messages={"required": _("Say why: the reason is kept with the change.")},
    )


class EntryRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for removing it"),
        max_length=300,
        help_text=_(
            "The entry leaves the public list; it is kept, and you can put it back from this "
            "page (find it under “Removed” on the Entries page)."
        ),
        error_messages={"required": _("Say why: the reason is kept with the removal.")},
    )


class EntryRestoreForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for putting it back"),
        max_length=300,
        help_text=_("Kept in the audit log with the change."),
        error_messages={"required": _("Say why: the reason is kept with the change.")},
    )
