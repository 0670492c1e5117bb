"""The Arabic, French and Spanish catalogues cover every string, and the compiled files match."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "undersigned" / "locale"
LANGUAGES = ["ar", "fr", "es"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert len(po) > 50
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_lists_every_string_the_code_uses(language, tmp_path):
    """makemessages on the current code finds no string missing from the committed file."""
    if not shutil.which("xgettext"):
        pytest.skip("needs GNU gettext")
    root = Path(__file__).resolve().parent.parent
    work = tmp_path / "undersigned"
    shutil.copytree(root / "undersigned", work, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, str(root / "manage.py"), "makemessages", "-l", language, "--no-location"],
        cwd=work,
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    fresh = polib.pofile(str(work / "locale" / language / "LC_MESSAGES" / "django.po"))
    committed = {
        e.msgid for e in polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    }
    assert {e.msgid for e in fresh if not e.obsolete} - committed == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogues_are_up_to_date(language):
    if not shutil.which("msgfmt"):
        pytest.skip("needs GNU gettext")
    folder = LOCALE / language / "LC_MESSAGES"
    compiled = subprocess.run(
        ["msgfmt", "--check-format", "-o", "-", str(folder / "django.po")],
        check=True,
        capture_output=True,
    ).stdout
    assert compiled == (folder / "django.mo").read_bytes()
