"""Print material for the street: a QR code of the statement's address in each language (SVG
and PNG, segno), and an A4 poster (PDF, WeasyPrint) with the title, the QR code and the short
address, in that language."""

from __future__ import annotations

import base64
import io

import segno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from undersigned.core.http import absolute_url
from undersigned.deliveries.letter import FONTS
from undersigned.statements.models import Statement
from undersigned.statements.selectors import statement_text_for


def statement_url(statement: Statement, language: str) -> str:
    with translation.override(language):
        return absolute_url(reverse("signatures:statement", kwargs={"slug": statement.slug}))


def short_address(statement: Statement, language: str) -> str:
    """The address as people type it from a poster: no scheme, no trailing slash."""
    return statement_url(statement, language).split("://", 1)[-1].rstrip("/")


def qr_code(statement: Statement, language: str) -> segno.QRCode:
    # Level M: still read when a tenth of the poster is torn or dirty.
    return segno.make(statement_url(statement, language), error="m")


def qr_bytes(statement: Statement, language: str, kind: str) -> bytes:
    """The QR code as SVG or PNG, large enough to print (PNG: 10 pixels a module)."""
    out = io.BytesIO()
    qr_code(statement, language).save(out, kind=kind, scale=10, border=4)
    return out.getvalue()


def poster_pdf(statement: Statement, language: str) -> bytes:
    from weasyprint import CSS, HTML  # here: the rest of the site runs without Pango

    text = statement_text_for(statement, language).text  # type: ignore[union-attr]
    svg = qr_bytes(statement, language, "svg")
    with translation.override(language):
        html = render_to_string(
            "deliveries/poster.html",
            {
                "language": language,
                "direction": "rtl" if translation.get_language_bidi() else "ltr",
                "title": text.title,
                "statement": statement,
                "qr": "data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
                "address": short_address(statement, language),
            },
        )
    style = CSS(string=_STYLE % {"fonts": FONTS})
    return HTML(string=html).write_pdf(stylesheets=[style])


_STYLE = """
@page { size: A4; margin: 18mm; }
html { font-family: %(fonts)s; color: #111; }
body { text-align: center; }
h1 { font-size: 34pt; line-height: 1.15; margin: 10mm 0 8mm; }
.call { font-size: 20pt; margin: 0 0 6mm; }
img { width: 120mm; height: 120mm; }
.address { font-size: 18pt; font-weight: bold; margin: 6mm 0 2mm; direction: ltr; }
.reference { font-size: 11pt; color: #444; }
"""
