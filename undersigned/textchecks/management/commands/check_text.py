"""bin/manage check_text [--json] [--links] LANG=PATH [LANG=PATH ...]

Check one or more language versions of a Markdown text (the first is the source the others
are compared with). PATH `-` reads standard input. Exit 0 whether or not anything is found;
2 for an unreadable file, an unknown language or a malformed argument."""

from __future__ import annotations

import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from undersigned.textchecks.check import check_texts
from undersigned.textchecks.document import parse
from undersigned.textchecks.kinds.broken_link import fetch, web_links


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = (
        "Check language versions of a Markdown text for placeholders, unsourced figures, "
        "impossible dates and translation slips."
    )

    def add_arguments(self, parser):
        parser.add_argument("texts", nargs="+", metavar="LANG=PATH")
        parser.add_argument("--json", action="store_true", help="print the findings as JSON")
        parser.add_argument("--links", action="store_true", help="also fetch every web link")

    def handle(self, *args, **options):
        languages = dict(settings.LANGUAGES)
        texts: dict[str, str] = {}
        stdin_used = False
        for argument in options["texts"]:
            language, equals, path = argument.partition("=")
            if not equals or not language or not path:
                raise _fail(f"{argument!r}: give each text as LANG=PATH, e.g. en=statement.md")
            if language not in languages:
                raise _fail(f"{language!r} is not a language of this site ({', '.join(languages)})")
            if language in texts:
                raise _fail(f"{language!r} is given twice")
            if path == "-":
                if stdin_used:
                    raise _fail("standard input (-) can be read only once")
                stdin_used = True
                raw = sys.stdin.buffer.read(settings.TEXT_MAX_CHARS * 4 + 1)
            else:
                try:
                    with open(path, "rb") as handle:
                        raw = handle.read(settings.TEXT_MAX_CHARS * 4 + 1)
                except OSError as error:
                    raise _fail(f"{path}: cannot be read ({error.strerror})") from None
            texts[language] = self._decode(raw, path)
        with translation.override("en"):
            findings = check_texts(texts)
            if options["links"]:
                findings = self._with_links(texts, findings)
            if options["json"]:
                self.stdout.write(
                    json.dumps({"findings": [f.as_dict() for f in findings]}, ensure_ascii=False)
                )
                return
            for f in findings:
                self.stdout.write(f"{f.language}:{f.line}: {f.kind}: {f.excerpt} — {f.message}")
            if not findings:
                self.stdout.write("No findings.")

    def _decode(self, raw: bytes, path: str) -> str:
        if b"\x00" in raw:
            raise _fail(f"{path}: this is a binary file, not a text")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _fail(f"{path}: not UTF-8 text") from None
        if len(text) > settings.TEXT_MAX_CHARS:
            limit = settings.TEXT_MAX_CHARS
            raise _fail(f"{path}: longer than a statement's text may be ({limit} characters)")
        if not text.strip():
            self.stderr.write(f"{path}: the text is empty; nothing to check.")
        return text

    def _with_links(self, texts, findings):
        urls = {
            url
            for language, body in texts.items()
            for url, _l, _t in web_links(parse(body, language))
        }
        answers = {url: fetch(url) for url in sorted(urls)}
        return check_texts(texts, answers=answers)
