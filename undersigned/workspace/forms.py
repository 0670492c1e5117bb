"""Forms of the coordinators' workspace. They validate what people type; services act."""

from __future__ import annotations

import re
import zoneinfo
from typing import cast
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from undersigned.signatures.forms import SignerEmailField
from undersigned.statements.models import Addressee, Membership, Statement
from undersigned.statements.services import text_version


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


# --- A statement's settings, and its texts ------------------------------------------------

# Slugs that would read as a page of the platform rather than a statement.
RESERVED_SLUGS = {
    "new",
    "admin",
    "api",
    "static",
    "media",
    "s",
    "dashboard",
    "privacy",
    "preview",
    "embed",
    "accounts",
    "invite",
    "confirm",
    "manage",
    "healthz",
    "readyz",
    "metrics",
}


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


_ORIGIN = re.compile(
    r"^https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"(?::[0-9]{1,5})?$"
)


class StatementSettingsForm(forms.ModelForm):
    """What a statement is and how it is signed. Dates are typed in the statement's own time
    zone and stored in UTC."""

    opens_at = forms.DateTimeField(
        label=_("Opens on (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the time zone below. Empty: it opens when you open it."),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes on (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the time zone below. Empty: it stays open until you close it."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    contact_url = forms.URLField(
        label=_("Contact page (public, optional)"),
        required=False,
        max_length=200,
        assume_scheme="https",
    )

    class Meta:
        model = Statement
        fields = [
            "slug",
            "reference",
            "kind",
            "signers",
            "review_organizations",
            "goal",
            "opens_at",
            "closes_at",
            "time_zone",
            "default_language",
            "proof_of_work",
            "organizer",
            "contact_email",
            "contact_url",
            "public_downloads",
            "embed_origins",
        ]
        labels = {
            "embed_origins": _("Sites that may embed the statement (optional)"),
            "public_downloads": _("Offer the public list as CSV and JSON files on its page"),
            "slug": _("Address"),
            "reference": _("Reference (optional)"),
            "kind": _("Kind"),
            "signers": _("Who signs"),
            "review_organizations": _("Review organizations before they are listed"),
            "goal": _("Goal (optional)"),
            "default_language": _("First language"),
            "proof_of_work": _("Ask browsers for proof of work"),
            "organizer": _("Run by (public)"),
            "contact_email": _("Contact email (public, optional)"),
            "contact_url": _("Contact page (public, optional)"),
        }
        help_texts = {
            "slug": _("The statement's address: /s/<address>/. Letters a–z, digits and dashes."),
            "reference": _("Your coalition's own reference, for example RM-117-2026."),
            "review_organizations": "",
            "goal": _("The number of signatures the progress bar counts towards."),
            "default_language": _("Readers whose language has no text read this one."),
            "proof_of_work": _("Makes signing in bulk costly; automatic asks it during surges."),
            "organizer": _("Who readers see as the statement's author."),
            "contact_email": "",
            "contact_url": "",
            "embed_origins": _(
                "One address a line, such as https://partner.example. Empty: any site may "
                "show the statement's counts and signing form in a frame."
            ),
        }
        widgets = {
            "kind": forms.RadioSelect,
            "signers": forms.RadioSelect,
            "embed_origins": forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
        }
        error_messages = {
            "slug": {"unique": _("Another statement has this address. Choose another one.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = ZoneInfo(self.instance.time_zone or "UTC")
        for name in ("opens_at", "closes_at"):
            value = getattr(self.instance, name)
            if value and not self.is_bound:
                self.initial[name] = timezone.localtime(value, zone).replace(tzinfo=None)

    def clean_slug(self):
        slug = self.cleaned_data["slug"].lower()
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(
                _("This address is reserved by the platform. Choose another one."),
                code="reserved",
            )
        return slug

    def clean_embed_origins(self) -> str:
        """Each line an origin: http(s)://host[:port], nothing after it."""
        origins = []
        for line in self.cleaned_data["embed_origins"].split():
            origin = line.strip().rstrip("/").lower()
            if not _ORIGIN.match(origin):
                raise forms.ValidationError(
                    _("%(line)s is not a site's address such as https://partner.example.")
                    % {"line": line[:100]},
                    code="origin",
                )
            origins.append(origin)
        if len(origins) > 50:
            raise forms.ValidationError(_("At most 50 sites."), code="too_many")
        return "\n".join(dict.fromkeys(origins))

    def clean_goal(self):
        goal = self.cleaned_data.get("goal")
        if goal is not None and goal < 1:
            raise forms.ValidationError(_("A goal is at least 1 signature."), code="min")
        return goal

    def clean(self):
        data = super().clean()
        zone_name = data.get("time_zone") or "UTC"
        zone = ZoneInfo(zone_name)
        current = timezone.get_current_timezone()
        # The fields read the typed time in the server's zone: read it in the statement's.
        for name in ("opens_at", "closes_at"):
            if data.get(name):
                typed = timezone.make_naive(data[name], current)
                data[name] = timezone.make_aware(typed, zone)
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The closing date must come after the opening date."))
        return data

    def _post_clean(self):
        # The model's own check of the two dates would repeat the message above.
        super()._post_clean()
        self.errors.pop("__all__", None)


class StatementCreateForm(StatementSettingsForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        help_text=_("In the first language; you write the text and translations next."),
    )

    field_order = ["title", "default_language", "slug", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _(
            "Leave it empty to have one made from the title. /s/<address>/: letters a–z, "
            "digits and dashes."
        )

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(_("Give the statement a title."), code="required")
        return title

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        return super().clean_slug() if slug else ""


class TextForm(forms.Form):
    """One language's title and body (Markdown), as an editor writes them."""

    title = forms.CharField(label=_("Title"), max_length=300)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Paragraphs are separated by an empty line. **bold**, *italic*, [a link](https://…), "
            "lists with 1. or -. Raw HTML and scripts are removed."
        ),
    )

    note = forms.CharField(
        label=_("Note on the change"),
        max_length=300,
        required=False,
        help_text=_(
            "Required once the statement is public: what changed and why, in a sentence. "
            "It is shown in the public history of the text."
        ),
    )
    notify = forms.BooleanField(
        label=_("Tell the people who signed an earlier version, by email"),
        required=False,
        help_text=_(
            "Each gets one email in their language with your note, a link to the changes, "
            "and their link to withdraw. Their signatures stay as they are."
        ),
    )

    def __init__(
        self, *args, language: str, max_chars: int, public: bool = False, current: str = "",
        note_required: bool = False, **kwargs,
    ):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.max_chars = max_chars
        # The version of the saved text (statements.services.text_version); a change to it
        # needs a note when `note_required`.
        self.current = current
        self.note_required = note_required
        direction = "rtl" if language == "ar" else "ltr"
        for name in ("title", "body"):
            self.fields[name].widget.attrs.update({"dir": direction, "lang": language})
        if not public:
            del self.fields["note"], self.fields["notify"]

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(_("Write a title."), code="required")
        return title

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\r\n", "\n")
        if not body.strip():
            raise forms.ValidationError(_("Write the text."), code="required")
        if len(body) > self.max_chars:
            raise forms.ValidationError(
                _("The text is %(size)s characters long; the limit is %(limit)s.")
                % {"size": len(body), "limit": self.max_chars},
                code="too_long",
            )
        return body

    def clean(self):
        data = super().clean()
        if (
            self.note_required
            and "title" in data
            and "body" in data
            and text_version(data["title"], data["body"]) != self.current
            and not " ".join(data.get("note", "").split())
        ):
            self.add_error(
                "note",
                forms.ValidationError(
                    _("Write a short note: the text is public, and readers see what changed."),
                    code="required",
                ),
            )
        return data


class ExportForm(forms.Form):
    """What to export: the format, who it is for (public, or with contact persons), the
    language of its headings and country names, and (CSV) a BOM for spreadsheets."""

    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("csv", "CSV"),
            ("xlsx", "XLSX (Excel, LibreOffice)"),
            ("json", "JSON"),
            ("pdf", _("PDF: the letter, ready to print")),
        ],
        initial="csv",
    )
    scope = forms.ChoiceField(
        label=_("What it holds"),
        choices=[
            ("public", _("what the public list shows")),
            ("owner", _("with each organization's contact person, role and email")),
        ],
        initial="public",
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    bom = forms.BooleanField(
        label=_("CSV: add a byte-order mark, for spreadsheet programs"), required=False
    )
    paper = forms.ChoiceField(
        label=_("PDF: paper size"), choices=[("a4", "A4"), ("letter", _("US Letter"))],
        initial="a4", required=False,
    )  # fmt: skip
    texts = forms.MultipleChoiceField(
        label=_("PDF: the text in these languages"),
        help_text=_("One text after the other. None chosen: the text in the export's language."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, statement_languages: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        texts = cast(forms.MultipleChoiceField, self.fields["texts"])
        texts.choices = [(code, names[code]) for code in statement_languages]

    def clean_paper(self) -> str:
        return self.cleaned_data["paper"] or "a4"


class AddresseeForm(forms.ModelForm):
    class Meta:
        model = Addressee
        fields = ["name", "role", "institution", "email", "language"]
        labels = {
            "name": _("Name"),
            "role": _("Role (optional)"),
            "institution": _("Institution (optional)"),
            "email": _("Email (optional, never public)"),
            "language": _("Language to write to them in"),
        }
        help_texts = {
            "role": _("For example: Minister of Culture."),
            "email": _("Kept for delivering the statement; readers never see it."),
        }

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Write the addressee's name."), code="required")
        return name


class DeliveryForm(forms.Form):
    """Which addressees get the statement, each in which language, and whether the statement
    page names them. One pair of fields per addressee with an email."""

    public_names = forms.BooleanField(
        label=_("Name these addressees on the statement page"),
        help_text=_("Unticked, the page only says how many addressees it was delivered to."),
        required=False,
    )

    def __init__(self, *args, addressees, languages: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        self.addressees = list(addressees)
        self.rows = []
        for addressee in self.addressees:
            label = addressee.label
            self.fields[f"to_{addressee.pk}"] = forms.BooleanField(
                label=_("Send to %(name)s") % {"name": label}, required=False
            )
            self.fields[f"language_{addressee.pk}"] = forms.ChoiceField(
                label=_("Language for %(name)s") % {"name": addressee.name},
                choices=[(code, names[code]) for code in languages],
                initial=addressee.language if addressee.language in languages else languages[0],
                required=False,
            )
            self.rows.append((addressee, self[f"to_{addressee.pk}"],
                              self[f"language_{addressee.pk}"]))  # fmt: skip

    def clean(self):
        data = super().clean()
        for addressee in self.addressees:
            if data.get(f"to_{addressee.pk}") and not data.get(f"language_{addressee.pk}"):
                self.add_error(f"language_{addressee.pk}", forms.ValidationError(
                    _("Choose the language to write to them in."), code="required"))  # fmt: skip
        if not self.chosen() and not self.errors:
            raise forms.ValidationError(
                _("Choose at least one addressee to send the statement to."), code="none"
            )
        return data

    def chosen(self) -> list:
        data = getattr(self, "cleaned_data", {})
        return [
            (a, data[f"language_{a.pk}"])
            for a in self.addressees
            if data.get(f"to_{a.pk}") and data.get(f"language_{a.pk}")
        ]


class MilestoneForm(forms.Form):
    signatures = forms.IntegerField(
        label=_("When the list reaches this many signatures"),
        help_text=_(
            "A delivery to every addressee with an email is prepared; you confirm it. "
            "The statement's goal is filled in when it has one."
        ),
        min_value=1,
        max_value=100_000_000,
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. our CRM.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("It may"),
        choices=[
            ("exports:read", _("read this statement's exports")),
            (
                "imports:write",
                _("import lists into this statement (kept off the list until you publish them)"),
            ),
        ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one thing the token may do.")},
    )
