"""What a check finds: its kind, where, the words that triggered it, and what to do."""

from __future__ import annotations

from dataclasses import dataclass

# The kinds, as named in the JSON output and in the code (one module each in kinds/).
KINDS = (
    "placeholder_link",
    "unsourced_figure",
    "malformed_date",
    "placeholder_text",
    "figure_mismatch",
    "broken_link",
)
EXCERPT_MAX = 120


@dataclass(frozen=True)
class Finding:
    kind: str
    language: str
    line: int
    excerpt: str
    # Lazily translated: shown in the page's language, printed by the command in English.
    message: object

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "language": self.language,
            "line": self.line,
            "excerpt": self.excerpt,
            "message": str(self.message),
        }


def excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_MAX else text[: EXCERPT_MAX - 1] + "…"
