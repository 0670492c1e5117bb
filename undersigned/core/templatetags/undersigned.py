from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def url_in_language(context, language: str) -> str:
    """This page's address in another language (the language is the first path segment)."""
    request = context["request"]
    path = translate_url(request.path, language)
    query = request.META.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path
