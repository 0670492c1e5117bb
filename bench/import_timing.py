"""How long the owner's import takes for a pasted list of 100 and of 1,000 organizations:
the preview (parse, duplicate search, page) and the import (one transaction), through the
Django test client on the test database. A measurement, not a test: nothing is asserted on
time. Run it with

    .venv/bin/python -m pytest -q -s -p no:randomly bench/import_timing.py

The list is generated (neutral names from a few words, so many near-duplicate pairs to check),
numbered with gaps, acronyms and countries in the usual forms.
"""

from __future__ import annotations

import random
import time

import pytest
from django.contrib.auth import get_user_model

from tests.factories import make_statement, preview_data
from undersigned.signatures.models import Signature

WORDS = [
    "Harbour", "Valley", "River", "Mountain", "Coastal", "Urban", "Rural", "Northern",
    "Southern", "Green", "Open", "Free", "Young", "Women's", "Workers'", "Teachers'",
    "Farmers'", "Students'", "Artists'", "Nurses'",
]  # fmt: skip
BODIES = [
    "Association", "Network", "Union", "Collective", "Foundation", "Society", "Council",
    "Cooperative", "Forum", "Alliance",
]  # fmt: skip
COUNTRIES = ["Chile", "Kenya", "France", "Morocco", "Spain", "Tunisia", "Peru", "Senegal"]


def messy_list(size: int, seed: int = 1) -> str:
    rnd = random.Random(seed)
    lines: list[str] = []
    seen: set[str] = set()
    number = 0
    while len(seen) < size:
        name = f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {rnd.choice(BODIES)}"
        if name in seen:
            continue
        seen.add(name)
        number += rnd.choice([1, 1, 1, 1, 2])
        acronym = "".join(w[0] for w in name.split()).upper()
        shown = rnd.choice(
            [f"{name} ({acronym})", f"{acronym} – {name}", f"{name}, {rnd.choice(COUNTRIES)}", name]
        )
        lines.append(f"{number}. {shown}")
    return "\n".join(lines)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [100, 1000])
def test_import_timing(client, size):
    statement = make_statement()
    user = get_user_model().objects.create_user(username="coordinator", password="x" * 20)
    statement.owners.add(user)
    client.force_login(user)
    base = f"/en/dashboard/s/{statement.slug}/import/"
    started = time.perf_counter()
    preview = client.post(base, {"text": messy_list(size)})
    preview_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    done = client.post(base + "confirm/", preview_data(preview))
    import_ms = (time.perf_counter() - started) * 1000
    assert done.status_code == 302
    print(
        f"\n{size} entries: preview {preview_ms:.0f} ms ({len(preview.content) // 1024} kB), "
        f"import {import_ms:.0f} ms, {Signature.objects.count()} imported"
    )
