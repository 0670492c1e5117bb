from django import template
from django.forms.formsets import BaseFormSet
from django.urls import translate_url
from django.utils.translation import gettext as _

from undersigned.core.audit import action_label, actor_label

register = template.Library()


@register.simple_tag(takes_context=True)
def url_in_language(context, language: str) -> str:
    """This page's address in another language (the language is the first path segment)."""
    request = context["request"]
    path = translate_url(request.path, language)
    query = request.META.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


# --- Form errors: the summary at the top of a page, and the title's prefix ------------------

SUMMARY_MAX_ITEMS = 20


def _bound(items) -> list:
    return [item for item in items if item is not None and getattr(item, "is_bound", False)]


def _field_anchor(field) -> str:
    if not field.auto_id or field.is_hidden:
        return ""
    # A group of radio buttons or checkboxes: the first one.
    return f"#{field.auto_id}_0" if field.use_fieldset else f"#{field.auto_id}"


def _form_items(form, row: str = "") -> list[dict]:
    items = [{"href": "", "text": f"{row}{e}"} for e in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            anchor = _field_anchor(field)
            text = f"{row}{field.label}: {error}" if anchor else f"{row}{error}"
            items.append({"href": anchor, "text": text})
    return items


def error_items(*forms) -> list[dict]:
    """Each error of `forms` (forms or formsets): its text, and a link to its field."""
    items: list[dict] = []
    for form in _bound(forms):
        if isinstance(form, BaseFormSet):
            items.extend({"href": "", "text": str(e)} for e in form.non_form_errors())
            for n, row in enumerate(form.forms, start=1):
                items.extend(_form_items(row, _("Row %(n)s · ") % {"n": n}))
        else:
            items.extend(_form_items(form))
    return items


@register.inclusion_tag("core/_error_summary.html")
def error_summary(*forms) -> dict:
    """The list of what is wrong in `forms` (forms or formsets), at most SUMMARY_MAX_ITEMS
    of them; nothing when they have no error."""
    items = error_items(*forms)
    return {
        "summary": {
            "items": items[:SUMMARY_MAX_ITEMS],
            "more": max(0, len(items) - SUMMARY_MAX_ITEMS),
        }
        if items
        else None
    }


@register.simple_tag
def error_title(*forms) -> str:
    """'Error: ' in the page's language when any of `forms` has an error (the page title's
    first word, so a screen reader hears it first)."""
    for form in _bound(forms):
        if isinstance(form, BaseFormSet):
            if form.non_form_errors() or any(row.errors for row in form.forms):
                return _("Error: ")
        elif form.errors:
            return _("Error: ")
    return ""


@register.filter
def audit_label(action: str) -> str:
    return action_label(action)


@register.filter
def audit_actor(label: str) -> str:
    return actor_label(label)
