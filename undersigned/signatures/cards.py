"""Share cards: the 1200×630 PNG that a messaging app or social site shows with a link to a
statement (og:image), with its title, its counts and the progress to its goal, in the page's
language. Drawn by Pillow with its complex-text layout (raqm: HarfBuzz shaping and FriBiDi), so
Arabic is shaped and right to left.

A card is kept on disk per statement and language and drawn again only when what it shows has
changed, and then at most once a minute. Drawing takes a file lock, so a surge of readers (in
any number of processes) draws it once while the others wait for that one drawing."""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
import unicodedata
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageDraw, ImageFont

from undersigned.core.bidi import text_direction
from undersigned.signatures.models import ListTally
from undersigned.statements.models import Statement

SIZE = (1200, 630)
MARGIN = 72
REDRAW_SECONDS = 60
# Debian's fonts, installed with the PDF letter's (bin/_debian.sh).
FONTS = {
    "latin": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "latin_regular": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "arabic": "/usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Bold.ttf",
    "arabic_regular": "/usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Regular.ttf",
    "cjk": "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
}
INK, PAPER, ACCENT, MUTED = "#16202a", "#ffffff", "#1f5f8b", "#d7dee5"


def _script(text: str) -> str:
    for char in text:
        name = unicodedata.name(char, "")
        if unicodedata.bidirectional(char) in ("R", "AL"):
            return "arabic"
        if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")):
            return "cjk"
    return "latin"


def _font(text: str, size: int, *, bold: bool = True) -> ImageFont.FreeTypeFont:
    script = _script(text)
    path = FONTS[script if bold or script == "cjk" else f"{script}_regular"]
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.RAQM)


def _lines(draw: ImageDraw.ImageDraw, text: str, font, width: int, most: int) -> list[str]:
    """`text` in lines no wider than `width` (broken between words; a word too long for a line
    is cut), at most `most` lines, the last one ending with … when the text goes on."""
    words, lines, line = text.split(), [], ""
    direction = text_direction(text)
    for word in words:
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font, direction=direction) <= width:
            line = trial
            continue
        if line:
            lines.append(line)
        line = word
        while draw.textlength(line, font=font, direction=direction) > width and len(line) > 1:
            line = line[:-1]
    if line:
        lines.append(line)
    if len(lines) > most:
        lines = lines[:most]
        last = lines[-1]
        while last and draw.textlength(last + " …", font=font, direction=direction) > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        lines[-1] = last + " …"
    return lines


def _text(draw, xy_start: int, y: int, text: str, font, fill: str, right_to_left: bool) -> None:
    """One line from the page's start side: the left margin, or the right one in Arabic."""
    direction = text_direction(text)
    if right_to_left:
        draw.text((SIZE[0] - xy_start, y), text, font=font, fill=fill, anchor="ra",
                  direction=direction)  # fmt: skip
    else:
        draw.text((xy_start, y), text, font=font, fill=fill, anchor="la", direction=direction)


def draw_card(*, title: str, counts: str, goal: str | None, progress: float | None,
              site: str, right_to_left: bool) -> Image.Image:  # fmt: skip
    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, SIZE[0], 14), fill=ACCENT)
    width = SIZE[0] - 2 * MARGIN
    size = 64
    font = _font(title, size)
    lines = _lines(draw, title, font, width, 3)
    if len(lines) == 3:  # a long title: smaller, to keep room for the counts
        size = 54
        font = _font(title, size)
        lines = _lines(draw, title, font, width, 3)
    y = MARGIN
    for line in lines:
        _text(draw, MARGIN, y, line, font, INK, right_to_left)
        y += int(size * 1.3)
    counts_font = _font(counts, 40, bold=False)
    _text(draw, MARGIN, 390, counts, counts_font, INK, right_to_left)
    if goal is not None and progress is not None:
        bar = (MARGIN, 460, SIZE[0] - MARGIN, 492)
        draw.rounded_rectangle(bar, radius=16, fill=MUTED)
        filled = int((bar[2] - bar[0]) * max(0.0, min(1.0, progress)))
        if filled >= 32:
            if right_to_left:
                draw.rounded_rectangle((bar[2] - filled, bar[1], bar[2], bar[3]), radius=16,
                                       fill=ACCENT)  # fmt: skip
            else:
                draw.rounded_rectangle((bar[0], bar[1], bar[0] + filled, bar[3]), radius=16,
                                       fill=ACCENT)  # fmt: skip
        _text(draw, MARGIN, 508, goal, _font(goal, 30, bold=False), INK, right_to_left)
    _text(draw, MARGIN, SIZE[1] - 64, site, _font(site, 28, bold=False), ACCENT, right_to_left)
    return image


def _inputs(statement: Statement, tally: ListTally, language: str) -> dict:
    from undersigned.statements.selectors import statement_text_for

    with translation.override(language):
        choice = statement_text_for(statement, language)
        title = choice.text.title if choice else statement.slug
        organizations = ngettext(
            "%(count)s organization", "%(count)s organizations", tally.organizations
        ) % {"count": tally.organizations}
        individuals = ngettext(
            "%(count)s individual", "%(count)s individuals", tally.individuals
        ) % {"count": tally.individuals}
        goal = progress = None
        if statement.goal:
            goal = _("%(total)s of %(goal)s signatures") % {
                "total": tally.total, "goal": statement.goal}  # fmt: skip
            progress = tally.total / statement.goal
        return {
            "title": " ".join(title.split()),
            "counts": f"{organizations} · {individuals}",
            "goal": goal,
            "progress": progress,
            "site": settings.BASE_URL.split("://", 1)[-1].rstrip("/"),
            "right_to_left": translation.get_language_bidi(),
        }


def card_path(statement: Statement, tally: ListTally, language: str) -> Path:
    """The card's file, drawn first if what it shows changed and it is over a minute old."""
    inputs = _inputs(statement, tally, language)
    key = hashlib.sha256(repr(sorted(inputs.items())).encode()).hexdigest()
    folder = Path(settings.DATA_DIR) / "cards" / str(statement.pk)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{language}.png"
    stamp = folder / f"{language}.key"

    def fresh() -> bool:
        if not path.exists():
            return False
        if stamp.exists() and stamp.read_text() == key:
            return True
        return time.time() - path.stat().st_mtime < REDRAW_SECONDS

    if fresh():
        return path
    with (folder / f"{language}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one drawing at a time; the others wait for it
        if not fresh():
            partial = folder / f".{language}.{os.getpid()}.png"
            draw_card(**inputs).save(partial, format="PNG", optimize=True)
            os.replace(partial, path)
            stamp.write_text(key)
    return path
