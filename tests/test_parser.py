"""The list parser against a corpus of messy lists (tests/corpus: each .txt with the parse a
careful person would write down in the .json beside it), and properties on arbitrary text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from undersigned.imports.parser import parse_text

CORPUS = Path(__file__).parent / "corpus"
LISTS = sorted(CORPUS.glob("*.txt"))


def expected(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text())


def found(entry) -> list:
    row = [entry.name, entry.acronym, entry.kind, entry.source_number]
    return [*row, entry.country] if entry.country else row


@pytest.mark.parametrize("path", LISTS, ids=[p.stem for p in LISTS])
def test_each_list_of_the_corpus_parses_entry_by_entry(path):
    want = expected(path)
    parsed = parse_text(path.read_text())
    assert [found(e) for e in parsed.entries] == want["entries"]
    assert [list(pair) for pair in parsed.possible_duplicates] == want["duplicates"]
    assert [note.code for note in parsed.notes] == want["warnings"]


def corpus_accuracy() -> dict[str, int]:
    """The figures the README reports: over the whole corpus."""
    totals = dict.fromkeys(
        ["entries", "found", "kinds_right", "duplicates", "duplicates_found", "false_merges"], 0
    )
    for path in LISTS:
        want = expected(path)
        parsed = parse_text(path.read_text())
        got = {(e.name, e.source_number): e for e in parsed.entries}
        totals["entries"] += len(want["entries"])
        for name, _acronym, kind, number, *_ in want["entries"]:
            entry = got.get((name, number))
            totals["found"] += entry is not None
            totals["kinds_right"] += entry is not None and entry.kind == kind
        pairs = {tuple(p) for p in want["duplicates"]}
        totals["duplicates"] += len(pairs)
        totals["duplicates_found"] += len(pairs & set(parsed.possible_duplicates))
        totals["false_merges"] += len(set(parsed.possible_duplicates) - pairs)
    return totals


def test_the_accuracy_the_readme_reports():
    totals = corpus_accuracy()
    print(totals)
    assert totals["found"] == totals["kinds_right"] == totals["entries"] == 82
    assert totals["duplicates_found"] == totals["duplicates"] == 7
    assert totals["false_merges"] == 0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_the_parser_never_raises_on_any_text(text):
    parsed = parse_text(text)
    parsed.as_json()


names = st.text(
    alphabet=st.characters(categories=["L"], max_codepoint=0x6FF), min_size=2, max_size=30
).filter(lambda s: s.strip())


@settings(max_examples=200, deadline=None)
@given(st.lists(names, min_size=1, max_size=40), st.sampled_from([". ", ") ", " - ", ": "]))
def test_no_numbered_entry_is_ever_lost(items, separator):
    text = "\n".join(f"{n}{separator}{name}" for n, name in enumerate(items, start=1))
    parsed = parse_text(text)
    assert [e.source_number for e in parsed.entries] == list(range(1, len(items) + 1))


@settings(max_examples=100, deadline=None)
@given(st.lists(names, min_size=2, max_size=20))
def test_two_numbered_entries_on_a_line_are_both_kept(items):
    line = " ".join(f"{n}. {name}" for n, name in enumerate(items, start=1))
    parsed = parse_text(line)
    assert [e.source_number for e in parsed.entries] == list(range(1, len(items) + 1))
    assert re.sub(r"\s+", "", "".join(e.name + (e.acronym or "") for e in parsed.entries))


def test_a_note_names_the_entrys_own_number_before_its_line():
    parsed = parse_text("Signatories (as of 12 March)\n\n3. Harbour Trust\n5. Maria Santos\n")
    assert [e.name for e in parsed.entries] == ["Harbour Trust", "Maria Santos"]
    with translation.override("en"):  # notes are worded in the active language
        warnings = parsed.warnings()
    assert warnings == [
        "no. 5 (line 4): numbering gap after 3",
        "no. 5 (line 4): looks like a person",
    ]


@pytest.mark.parametrize(
    "line, kind",
    [
        ("Riverside Charity", "organization"),
        ("Hope Builders International", "organization"),
        ("Village Committees", "organization"),
        ("Confederación Obrera", "organization"),
        ("Jamiyat Al Karama", "organization"),
        ("Federaton of Fishers", "organization"),  # a typo in the organization word
        ("Jordan River Keepers Association", "organization"),
        ("Amina Diallo", "individual"),  # a given name
        ("Dr. Nour Haddad", "individual"),  # a title
        ("Luis de Souza", "individual"),  # a particle between capitalized words
        ("Morning Bright Paper", "organization"),  # no evidence of a person
    ],
)
def test_a_person_needs_positive_evidence_and_an_organization_word_always_wins(line, kind):
    [entry] = parse_text(f"1. {line}").entries
    assert entry.kind == kind
