"""How long the text check takes on a long statement in four languages (English, Arabic,
French, Spanish), without fetching links (the worker does that apart): a 20,000-word
statement (5,000 words in each language), and, to see how it grows, 20,000 words in each
language (80,000 in all). A measurement, not a test: nothing is asserted on time. `bench/run`
runs it and records the figures; alone:

    .venv/bin/python -m bench.textcheck_timing [--out FILE]

The texts are built from the labelled corpus (tests/corpus/textcheck): its paragraphs, in each
language, repeated until the language has its words. That corpus is dense with figures, dates,
links and placeholders (every paragraph has something to find), so this is a hard case: a real
statement has far fewer.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from pathlib import Path

WORDS = 20_000
RUNS = 5
CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "textcheck"


def long_texts(words: int = WORDS) -> dict[str, str]:
    paragraphs: dict[str, list[str]] = {}
    for path in sorted(CORPUS.glob("*.txt")):
        body = path.read_text().partition("--- expected\n")[0]
        for part in re.split(r"^=== ", body, flags=re.M)[1:]:
            language, _, text = part.partition("\n")
            paragraphs.setdefault(language.strip(), []).extend(
                p for p in text.split("\n\n") if p.strip()
            )
    texts = {}
    for language in ("en", "ar", "fr", "es"):
        chunks, count, i = [], 0, 0
        source = paragraphs[language]
        while count < words:
            chunk = source[i % len(source)]
            chunks.append(chunk)
            count += len(chunk.split())
            i += 1
        texts[language] = "\n\n".join(chunks)
    return texts


def _timed(check_texts, texts: dict[str, str], runs: int) -> dict:
    times, findings = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        findings = len(check_texts(texts))
        times.append(time.perf_counter() - started)
    return {
        "words": sum(len(v.split()) for v in texts.values()),
        "characters": sum(map(len, texts.values())),
        "findings": findings,
        "seconds_median": round(statistics.median(times), 3),
        "seconds_max": round(max(times), 3),
        "runs": runs,
    }


def measure(runs: int = RUNS) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from undersigned.textchecks.check import check_texts

    check_texts({"en": "warm up 12 people."})  # the month and number tables are built once
    return {
        "statement_20000_words_in_4_languages": _timed(check_texts, long_texts(WORDS // 4), runs),
        "20000_words_in_each_of_4_languages": _timed(check_texts, long_texts(WORDS), runs),
        "target_seconds": 1.0,
    }


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser()
    parser.add_argument("--out", help="also write the figures to this JSON file")
    args = parser.parse_args()
    figures = measure()
    print(json.dumps(figures, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
