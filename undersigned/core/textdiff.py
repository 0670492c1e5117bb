"""What changed between two versions of a text, word by word, for readers.

Paragraphs (blocks between empty lines) are matched first; within a changed paragraph the
words are. A word is a run of anything but white space, so Arabic with its diacritics, and
each mark of punctuation is a token of its own. `difflib` (the standard library's matcher) does the
matching; its work is bounded: a paragraph pair with more than WORDS_MAX words on a side is
shown as removed and added whole instead of word by word.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

WORDS_MAX = 4000
# White space; a word (anything but space and punctuation, so combining marks stay with their
# letter); one mark of punctuation or Markdown.
_PUNCTUATION = r".,;:!?؟،؛()\[\]{}\"'«»“”‘’*_/\\<>|#`~-"
_TOKENS = re.compile(rf"\s+|[^\s{_PUNCTUATION}]+|\S")


@dataclass(frozen=True)
class Piece:
    # "same", "added" or "removed".
    op: str
    text: str


def paragraphs(text: str) -> list[str]:
    """A text's paragraphs (blocks separated by an empty line), without surrounding space."""
    return [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]


def _merge(pieces: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for piece in pieces:
        if piece.text and merged and merged[-1].op == piece.op:
            merged[-1] = Piece(piece.op, merged[-1].text + piece.text)
        elif piece.text:
            merged.append(piece)
    return merged


def _words(old: str, new: str) -> list[Piece]:
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    if len(a) > WORDS_MAX or len(b) > WORDS_MAX:
        return [Piece("removed", old), Piece("added", new)]
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        # The space around a changed word belongs to the unchanged text around it.
        pieces.append(Piece("removed", removed))
        pieces.append(Piece("added", added))
    return _merge(pieces)


def word_diff(old: str, new: str) -> list[list[Piece]]:
    """The new text's paragraphs, each as pieces that are the same, added or removed; removed
    paragraphs are included where they stood."""
    a, b = paragraphs(old), paragraphs(new)
    out: list[list[Piece]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if op == "equal":
            out.extend([Piece("same", p)] for p in a[i1:i2])
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for k in range(max(len(olds), len(news))):
            if k < len(olds) and k < len(news):
                out.append(_words(olds[k], news[k]))
            elif k < len(olds):
                out.append([Piece("removed", olds[k])])
            else:
                out.append([Piece("added", news[k])])
    return out


def changed(diff: list[list[Piece]]) -> bool:
    return any(piece.op != "same" for paragraph in diff for piece in paragraph)
