from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MANIFEST_MAX_BYTES = 1 << 20
VERIFY_MAX_FILES = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else single(data, initial)


class VerifyForm(forms.Form):
    """A manifest and the files it lists, each within its size; nothing is stored."""

    manifest = forms.FileField(
        label=_("The manifest (.manifest.json)"),
        help_text=_("Up to 1 MB."),
    )
    files = MultipleFileField(label=_("The exported files"))  # type: ignore[assignment]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _("Up to %(count)s files of %(size)s each.") % {
            "count": VERIFY_MAX_FILES,
            "size": filesizeformat(settings.VERIFY_MAX_BYTES),
        }

    def clean_manifest(self):
        manifest = self.cleaned_data["manifest"]
        if manifest.size > MANIFEST_MAX_BYTES:
            raise forms.ValidationError(
                _("This file is larger than a manifest can be (1 MB)."), code="too_large"
            )
        return manifest

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > VERIFY_MAX_FILES:
            raise forms.ValidationError(
                _("Choose at most %(count)s files.") % {"count": VERIFY_MAX_FILES},
                code="too_many",
            )
        for upload in files:
            if upload.size > settings.VERIFY_MAX_BYTES:
                raise forms.ValidationError(
                    _("%(name)s is larger than %(size)s.")
                    % {"name": upload.name, "size": filesizeformat(settings.VERIFY_MAX_BYTES)},
                    code="too_large",
                )
        return files
