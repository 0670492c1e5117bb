"""The import rules of docs/architecture.md, read from the code: `core` imports no app, `jobs`
only `core`, and each app only the apps below it. The known debt may only shrink."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "undersigned"

ALLOWED = {
    "core": set(),
    "jobs": {"core"},
    "statements": {"core", "jobs"},
    "signatures": {"core", "jobs", "statements"},
    "moderation": {"core", "jobs", "statements", "signatures"},
    "imports": {"core", "jobs", "statements", "signatures", "moderation"},
    "accounts": {"core", "jobs"},
    "operations": {"core", "jobs", "statements", "signatures", "moderation"},
    "textchecks": {"core", "jobs", "statements"},
    "deliveries": {"core", "jobs", "statements", "signatures"},
    "api": {"core", "statements", "signatures", "deliveries", "imports"},
    "workspace": {
        "core",
        "jobs",
        "statements",
        "signatures",
        "moderation",
        "imports",
        "textchecks",
        "deliveries",
        "api",
    },  # fmt: skip
}
# Imports against the rules that exist today (docs/architecture.md, "Known debt"). Remove a
# pair here when the code stops needing it; never add one.
DEBT: set[tuple[str, str]] = set()


def app_imports() -> dict[tuple[str, str], list[str]]:
    """(app, imported app) → the modules where it happens."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(PACKAGE.glob("*/**/*.py")):
        app = path.relative_to(PACKAGE).parts[0]
        if app not in ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "undersigned" and len(parts) > 1 and parts[1] in ALLOWED:
                    if parts[1] != app:
                        found.setdefault((app, parts[1]), []).append(str(path.relative_to(PACKAGE)))
    return found


def test_every_app_is_in_the_rules():
    apps = {p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists()}
    assert apps == set(ALLOWED)


def test_apps_import_only_what_the_rules_allow():
    wrong = {
        pair: where
        for pair, where in app_imports().items()
        if pair[1] not in ALLOWED[pair[0]] and pair not in DEBT
    }
    assert wrong == {}


def test_the_known_debt_only_shrinks():
    """A pair of the debt list that the code no longer has must leave the list."""
    assert DEBT - set(app_imports()) == set()


def test_raw_sql_names_tables_through_the_models():
    """No SQL text in the code spells a table name: it comes from `_meta.db_table`, so a
    renamed table or a custom db_table cannot leave a statement behind."""
    import re

    from django.apps import apps

    tables = {model._meta.db_table for model in apps.get_models()}
    sql = re.compile(r"\b(SELECT|UPDATE|INSERT|DELETE|FROM|JOIN)\b")
    found = []
    for path in sorted(PACKAGE.glob("**/*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if sql.search(node.value):
                    words = set(re.findall(r"\w+", node.value))
                    found += [(str(path.relative_to(PACKAGE)), t) for t in tables & words]
    assert found == []
