"""A Markdown text as the checks read it: its lines, and its blocks (paragraphs, headings, list
items, table cells) as plain text with the line of every character, the links in them, and
their sentences. Parsed with markdown-it-py (CommonMark), which accepts any input."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    line: int
    # Where the link's text sits in its block's plain text.
    start: int
    end: int


@dataclass
class Block:
    """One paragraph (or heading, list item, table cell) as plain text."""

    kind: str
    line: int
    text: str = ""
    # The source line of each character of `text`.
    lines: list[int] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    _figures: list | None = field(default=None, repr=False)

    def line_at(self, offset: int) -> int:
        if not self.lines:
            return self.line
        return self.lines[min(max(offset, 0), len(self.lines) - 1)]

    def in_link(self, start: int, end: int) -> bool:
        return any(link.start <= start and end <= link.end for link in self.links)

    def figures(self, language: str) -> list:
        """The block's figures (figures.py), found once and shared by the checks."""
        if self._figures is None:
            from undersigned.textchecks.figures import figures

            self._figures = figures(self.text, language)
        return self._figures


@dataclass(frozen=True)
class Sentence:
    block: Block
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.block.text[self.start : self.end]

    def has_link(self) -> bool:
        return any(link.start < self.end and link.end > self.start for link in self.block.links)


@dataclass
class Document:
    language: str
    source: str
    lines: list[str]
    blocks: list[Block]
    # Anchors a `#…` link may point at: heading slugs, `{#id}` attributes, HTML ids and names.
    anchors: set[str]

    def paragraphs(self) -> list[Block]:
        """The blocks that carry text, in order (what figure_mismatch matches by position)."""
        return [b for b in self.blocks if b.text.strip()]

    def sentences(self):
        for block in self.blocks:
            yield from split_sentences(block)


_PARSER = MarkdownIt("commonmark", {"html": True}).enable("table")
# Every link is read as written (the renderer's sanitizer decides what is shown); the checks
# want to see `javascript:` targets, which markdown-it refuses by default.
_PARSER.validateLink = lambda url: True  # type: ignore[method-assign]

_BLOCK_OPEN = {"paragraph_open": "paragraph", "heading_open": "heading", "th_open": "cell",
               "td_open": "cell"}  # fmt: skip
_ANCHOR_ATTR = re.compile(r"""\{#([\w-]+)\}|\b(?:id|name)\s*=\s*["']([^"']+)["']""")


def slug(text: str) -> str:
    """A heading's anchor, as renderers that add one make it."""
    text = re.sub(r"[^\w\s-]", "", text.strip().lower())
    return re.sub(r"\s+", "-", text)


def parse(source: str, language: str) -> Document:
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    tokens = _PARSER.parse(source)
    blocks: list[Block] = []
    current: str | None = None
    for token in tokens:
        if token.type in _BLOCK_OPEN:
            current = _BLOCK_OPEN[token.type]
        elif token.type == "inline" and token.map is not None:
            blocks.append(_block(current or "paragraph", token))
            current = None
    anchors = {slug(b.text) for b in blocks if b.kind == "heading"}
    anchors |= {a or b for a, b in _ANCHOR_ATTR.findall(source)}
    return Document(
        language=language,
        source=source,
        lines=source.split("\n"),
        blocks=blocks,
        anchors=anchors,
    )


def _block(kind: str, token) -> Block:
    line = token.map[0] + 1
    block = Block(kind=kind, line=line)
    parts: list[str] = []
    lines: list[int] = []
    opened: list[tuple[str, int, int]] = []

    def add(text: str) -> None:
        parts.append(text)
        lines.extend([line] * len(text))

    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            add(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            add("\n")
            line += 1
        elif child.type == "image":
            add(child.content)
        elif child.type == "link_open":
            opened.append((str(child.attrs.get("href", "")), sum(map(len, parts)), line))
        elif child.type == "link_close" and opened:
            href, start, at = opened.pop()
            end = sum(map(len, parts))
            text = "".join(parts)[start:end]
            block.links.append(Link(href=href, text=text, line=at, start=start, end=end))
    block.text = "".join(parts)
    block.lines = lines
    return block


# A sentence ends at . ! ? or their Arabic forms, followed by space or the end; not after a
# single letter or a common abbreviation, and not inside a number (3.5).
_END = re.compile(r"(?<=[.!?؟。])[\"'»”)\]]*(?:\s+|$)")
_ABBREVIATION = re.compile(
    r"(?:\b[^\W\d]|\bNo|\bArt|\bart|\bp|\bpp|\bvol|\bSt|\bDr|\bMr|\bMs|\bMrs|\betc|\bi\.e|\be\.g|\bvs|\bcf)\.$"
)


def split_sentences(block: Block):
    text, start = block.text, 0
    for match in _END.finditer(text):
        end = match.start()
        if _ABBREVIATION.search(text[start:end]):
            continue
        if end > start and text[start:end].strip():
            yield Sentence(block, start, end)
        start = match.end()
    if text[start:].strip():
        yield Sentence(block, start, len(text))
