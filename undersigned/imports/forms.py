"""The owner's import page: where the list comes from, then one row per entry to correct.

The preview is stateless: every row travels in the form, so nothing is stored before the owner
presses "Import", and a corrected preview is the same form sent again.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from undersigned.core.countries import country_code
from undersigned.imports.files import (
    UnreadableList,
    check_parsed,
    read_list,
    too_big_message,
)
from undersigned.imports.parser import INDIVIDUAL, ORGANIZATION, Entry, Parsed, parse_text
from undersigned.signatures.dedupe import exact_key
from undersigned.signatures.forms import NameField


class ListSourceForm(forms.Form):
    text = forms.CharField(
        label=_("Paste the list"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "dir": "auto"}),
        help_text=_("As it was circulated: numbered or not, one or more entries per line."),
    )
    file = forms.FileField(
        label=_("Or choose a file"),
        required=False,
        help_text=_("Plain text, CSV or XLSX with a column called name (or nom, nombre, الاسم)."),
    )
    country = forms.CharField(
        label=_("Country of entries that name none"),
        required=False,
        max_length=60,
        help_text=_("Optional: a country name or its two-letter code."),
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if len(text.encode()) > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(too_big_message(), code="too_big")
        return text

    def clean_country(self) -> str:
        return clean_country(self.cleaned_data["country"])

    def clean(self):
        data = super().clean()
        text, upload = data.get("text", ""), data.get("file")
        if self.errors:
            return data
        if upload is None and not text.strip():
            self.add_error("text", _("Paste a list or choose a file."))
            return data
        try:
            if upload is not None:
                if upload.size > settings.IMPORT_MAX_BYTES:
                    raise UnreadableList(too_big_message())
                data["parsed"] = read_list(
                    upload.read(), upload.name, max_entries=settings.IMPORT_MAX_ENTRIES
                )
                data["source_name"] = upload.name
            else:
                data["parsed"] = check_parsed(
                    parse_text(text, max_entries=settings.IMPORT_MAX_ENTRIES)
                )
                data["source_name"] = ""
        except UnreadableList as problem:
            self.add_error("file" if upload is not None else "text", str(problem))
            return data
        return data

    @property
    def parsed(self) -> Parsed:
        return self.cleaned_data["parsed"]


def clean_country(text: str) -> str:
    """A country name in any of the platform's languages, or an ISO code, to the code."""
    text = text.strip()
    if not text:
        return ""
    if len(text) == 2 and text.upper() in countries:
        return text.upper()
    code = country_code(text)
    if code is None:
        raise forms.ValidationError(
            _("Unknown country: write its name or its two-letter code."), code="country"
        )
    return code


class EntryForm(forms.Form):
    """One row of the preview. Unticked rows are not imported and not checked."""

    include = forms.BooleanField(label=_("Import"), required=False)
    name = NameField(label=_("Name"), required=False)
    acronym = forms.CharField(label=_("Acronym"), required=False, max_length=30)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(ORGANIZATION, _("organization")), (INDIVIDUAL, _("individual"))],
    )
    country = forms.CharField(label=_("Country"), required=False, max_length=60)
    source_number = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    # What the parser noticed about this row, as shown in the preview (display only).
    notes = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_country(self) -> str:
        return clean_country(self.cleaned_data["country"])

    def full_clean(self):
        super().full_clean()
        if self.is_bound and not self.cleaned_data.get("include"):
            self._errors = ErrorDict()  # a row left out is not checked

    def clean(self):
        data = super().clean()
        if data.get("include") and not data.get("name") and "name" not in self.errors:
            self.add_error("name", _("Enter a name, or untick this row."))
        return data

    def entry(self) -> Entry:
        data = self.cleaned_data
        return Entry(
            name=data["name"],
            acronym=data["acronym"].strip() or None,
            kind=data["kind"],
            source_number=data["source_number"],
            country=data["country"] or None,
        )


class BaseEntryFormSet(forms.BaseFormSet):
    def clean(self):
        # The database takes one organization per name and country: say which rows clash
        # (among the rows that are otherwise valid, so every message shows at once).
        first: dict[tuple[str, str], int] = {}
        for number, form in enumerate(self.forms, start=1):
            data = getattr(form, "cleaned_data", {})
            if form.errors or not data.get("include") or data.get("kind") != ORGANIZATION:
                continue
            key = (exact_key(data["name"]), data["country"])
            if key in first:
                form.add_error(
                    "name",
                    _("The same organization as row %(n)d (name and country): untick one.")
                    % {"n": first[key]},
                )
            else:
                first[key] = number
        if not any(self.errors) and not any(f.cleaned_data.get("include") for f in self.forms):
            raise forms.ValidationError(_("Tick at least one entry to import."), code="empty")

    def entries(self) -> list[tuple[int, Entry]]:
        """The ticked rows as (row index, entry)."""
        return [(i, f.entry()) for i, f in enumerate(self.forms) if f.cleaned_data.get("include")]


def entry_formset(data=None, initial=None):
    formset = forms.formset_factory(
        EntryForm,
        formset=BaseEntryFormSet,
        extra=0,
        max_num=settings.IMPORT_MAX_ENTRIES,
        validate_max=True,
        absolute_max=settings.IMPORT_MAX_ENTRIES,
    )
    return formset(data=data, initial=initial, prefix="entry")


class ImportMetaForm(forms.Form):
    """What the preview carries about the list itself, for the import's record, and when its
    entries go on the public list."""

    source_name = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    encoding = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    publish = forms.ChoiceField(
        label=_("When do these entries go on the public list?"),
        choices=[
            ("now", _("Now, with the import")),
            ("later", _("Not yet: keep them off the list until I publish this import")),
        ],
        initial="now",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose when the entries go on the public list.")},
    )
