import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from undersigned.signatures.normalize import clean_name, has_forbidden_characters, normalize_email


@pytest.mark.parametrize(
    "variant",
    [
        "ana.lopez@example.org",
        "Ana.Lopez@Example.org",
        "ANA.LOPEZ@EXAMPLE.ORG",
        " ana.lopez@example.org ",
        "ａｎａ.ｌｏｐｅｚ@ｅｘａｍｐｌｅ.ｏｒｇ",  # full-width forms
        "ana.lopez+petitions@example.org",
        "ana.lopez@example.org.",
    ],
)
def test_variants_of_one_mailbox_share_one_key(variant):
    assert normalize_email(variant) == "ana.lopez@example.org"


def test_international_domains_use_their_ascii_form():
    assert normalize_email("info@Bücher.example") == normalize_email("info@xn--bcher-kva.example")


def test_gmail_ignores_dots_and_other_providers_keep_them():
    assert normalize_email("a.n.a@googlemail.com") == "ana@gmail.com"
    assert normalize_email("a.n.a@example.org") == "a.n.a@example.org"


@pytest.mark.parametrize(
    "name",
    ["Ana\nLopez", "Ana\rLopez", "Ana\x00", "Ana\u2028Lopez", "evil\u202egnp.exe", "a\x1bb"],
)
def test_line_breaks_controls_and_direction_overrides_are_forbidden(name):
    assert has_forbidden_characters(name)


@pytest.mark.parametrize("name", ["Ana López", "جمعية المكتبات", "Ōe Kenzaburō", "O'Brien-Smith"])
def test_ordinary_names_in_any_script_are_allowed(name):
    assert not has_forbidden_characters(name)


def test_names_are_collapsed_and_composed():
    assert clean_name("  Ana   Lo\u0301pez ") == "Ana López"


@pytest.mark.parametrize(
    "spelling",
    [
        '"victim"@example.org',
        '"\\victim"@example.org',
        '"v\\i\\c\\t\\i\\m"@example.org',
        '"""victim"""@example.org',
        '"VICTIM"@Example.org',
        '"victim+x"@example.org',
    ],
)
def test_quoted_spellings_of_a_mailbox_share_its_key(spelling):
    assert normalize_email(spelling) == "victim@example.org"


_atom = st.text(alphabet=string.ascii_letters + string.digits + "._-", min_size=1, max_size=12)


@given(local=_atom, domain=st.sampled_from(["example.org", "Example.ORG", "example.org."]))
def test_every_quoted_or_escaped_spelling_maps_to_one_key(local, domain):
    plain = normalize_email(f"{local}@{domain}")
    escaped = "".join(f"\\{ch}" for ch in local)
    for spelling in (f'"{local}"', f'"{escaped}"', f'"{local.upper()}"', f"{local}+tag"):
        assert normalize_email(f"{spelling}@{domain}") == plain


@given(st.text(max_size=40))
def test_normalizing_twice_changes_nothing(value):
    once = normalize_email(value)
    assert normalize_email(once) == once
