"""`placeholder_link`: a link that leads nowhere real. Its target is empty or `#`, an anchor
the text does not define, a script (`javascript:`) or `about:blank`, or a host reserved for
examples and tests (RFC 2606, RFC 6761) or this machine (localhost)."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from django.utils.translation import gettext_lazy as _

from undersigned.textchecks.document import Document
from undersigned.textchecks.findings import Finding, excerpt

RESERVED_NAMES = {"example.com", "example.net", "example.org", "localhost"}
RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".example.com",
                     ".example.net", ".example.org")  # fmt: skip


def reserved(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host in RESERVED_NAMES or host.endswith(RESERVED_SUFFIXES)


def problem(href: str, anchors: set[str]):
    """Why a link target is a placeholder (a message), or None."""
    target = href.strip()
    if target in ("", "#"):
        return _("The link has no target.")
    if target.startswith("#"):
        if unquote(target[1:]) not in anchors:
            return _("The link points to a place in the text that does not exist.")
        return None
    lowered = target.lower()
    if lowered.startswith(("javascript:", "vbscript:")) or lowered.startswith("about:blank"):
        return _("The link runs a script or opens an empty page.")
    parts = urlsplit(target)
    host = parts.hostname
    if host is None and not parts.scheme and not target.startswith(("/", ".", "?")):
        host = target.split("/")[0].split("?")[0]  # "www.example.org/page" without a scheme
    if parts.scheme in ("http", "https") and not host:
        return _("The link has no address.")
    if host and reserved(host):
        return _("The link points to an example address, not a real page.")
    return None


def check(doc: Document) -> list[Finding]:
    found = []
    for block in doc.blocks:
        for link in block.links:
            message = problem(link.href, doc.anchors)
            if message is not None:
                found.append(
                    Finding(
                        kind="placeholder_link",
                        language=doc.language,
                        line=link.line,
                        excerpt=excerpt(f"[{link.text}]({link.href})"),
                        message=message,
                    )
                )
    return found
