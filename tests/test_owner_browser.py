"""The owner's pages in a real browser: sign in, import a pasted list (preview, correct,
import), read it A–Z and searched; work the review queue and merge a duplicate."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.factories import make_statement, organization, sign_and_confirm
from undersigned.core.audit import entries_for
from undersigned.jobs.services import jobs_run_pending
from undersigned.signatures.models import DuplicateSuggestion, Signature

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
PASTED = """Signing organizations:
1. Harbour Workers Network (HWN), Chile
2. Valley Choir
4. Alpine Rescue Society - ARS 5. Bakers Guild Cooperative, Kenya
6. Sofía Martínez
7. Harbour Workers' Network, Chile
"""


def sign_in(page, statement):
    user = get_user_model().objects.create_user(username="coordinator", password=PASSWORD)
    statement.owners.add(user)
    page.goto("/en/dashboard/")  # sends to the sign-in page first
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Your statements").wait_for()
    return user


def test_an_owner_imports_a_pasted_list_after_correcting_the_preview(page):
    statement = make_statement()
    owner = sign_in(page, statement)
    page.get_by_role("link", name="Import a list").first.click()
    page.get_by_label("Paste the list").fill(PASTED)
    page.get_by_role("button", name="Show the preview").click()
    page.get_by_role("heading", name="Check the list before importing it").wait_for()
    assert "6 entries found" in page.locator("p.summary").inner_text()

    rows = page.locator("table.preview tbody tr")
    assert rows.count() == 6
    assert "numbering gap after 2" in rows.nth(2).inner_text()
    assert "two entries on one line" in rows.nth(3).inner_text()
    assert "looks like a person" in rows.nth(4).inner_text()
    assert page.get_by_label("Kind (row 5)").input_value() == "individual"
    # The same network twice: the second is left out until the owner says otherwise.
    assert "possible duplicate of #1" in rows.nth(5).inner_text()
    assert not page.get_by_label("Import row 6").is_checked()

    page.get_by_label("Name (row 2)").fill("Valley Choir of Los Andes")
    page.get_by_label("Country (row 2)").fill("Atlantis")
    page.get_by_label("Import row 5").uncheck()
    page.get_by_role("button", name="Import the ticked entries").click()
    error = page.locator("#id_entry-1-country_error")
    assert "Unknown country" in error.inner_text()
    assert Signature.objects.count() == 0  # nothing until every ticked row is right

    page.get_by_label("Country (row 2)").fill("Chile")
    page.get_by_role("button", name="Import the ticked entries").click()
    page.get_by_role("heading", name="Review").wait_for()
    assert "4 entries imported" in page.locator(".messages").inner_text()
    names = set(Signature.objects.values_list("name", "country"))
    assert names == {
        ("Harbour Workers Network", "CL"),
        ("Valley Choir of Los Andes", "CL"),
        ("Alpine Rescue Society", ""),
        ("Bakers Guild Cooperative", "KE"),
    }
    assert all(e.actor == owner for s in Signature.objects.all() for e in entries_for(s))

    jobs_run_pending()  # the worker numbers the list
    page.goto(f"/en/s/{statement.slug}/organizations/")
    page.get_by_role("link", name="A–Z").click()
    assert page.locator("ol.signatories bdi.name").all_inner_texts() == [
        "Alpine Rescue Society",
        "Bakers Guild Cooperative",
        "Harbour Workers Network",
        "Valley Choir of Los Andes",
    ]
    page.get_by_label("Find an organization").fill("HWN")
    page.get_by_role("button", name="Search").click()
    assert page.locator("ol.signatories li").all_inner_texts() == [
        "Harbour Workers Network (HWN) · Chile"
    ]


def test_an_owner_filters_the_queue_rejects_with_a_reason_and_merges_a_pair(page):
    statement = make_statement(review_organizations=True)
    plain = sign_and_confirm(statement, organization(name="Harbour Workers Network"))
    free = sign_and_confirm(
        statement, organization(name="Mountain Guides Society", email="guides@gmail.com")
    )
    near = sign_and_confirm(
        statement, organization(name="Harbour Workers Association Network", acronym="")
    )
    owner = sign_in(page, statement)
    page.get_by_role("link", name="Review").first.click()
    page.get_by_role("heading", name="Signatures waiting for approval").wait_for()
    assert page.locator("tr[id^=waiting-]").count() == 3

    page.get_by_role("link", name="confirmed from a free-mail address (1)").click()
    assert page.locator("tr[id^=waiting-]").count() == 1
    page.get_by_role("button", name="Reject the ticked signatures").click()
    # Nothing ticked and no reason: both said beside their fields, nothing changed.
    assert "Tick at least one signature." in page.locator("#id_signatures_error").inner_text()
    assert "Say why" in page.locator("#id_reason_error").inner_text()
    page.get_by_label("Choose Mountain Guides Society").check()
    page.get_by_label("Reason", exact=True).fill("unknown to the network's members")
    page.get_by_role("button", name="Reject the ticked signatures").click()
    assert "1 signature rejected." in page.locator(".messages").inner_text()
    free.refresh_from_db()
    assert free.status == Signature.Status.REJECTED
    assert entries_for(free).get(action="signatures.signature.rejected").reason == (
        "unknown to the network's members"
    )

    suggestion = DuplicateSuggestion.objects.get(signature=near)
    pair = page.locator(f"#pair-{suggestion.pk}")
    assert "Harbour Workers Association Network" in pair.inner_text()
    pair.get_by_label("Reason (optional)").fill("one network, two spellings")
    pair.get_by_role("button", name="Merge, keep «Harbour Workers Network»").click()
    assert "Merged" in page.locator(".messages").inner_text()
    near.refresh_from_db(), plain.refresh_from_db()
    assert near.status == Signature.Status.MERGED and near.merged_into == plain
    # The kept entry was waiting too: merging decides it, and the queue no longer shows it.
    assert plain.status == Signature.Status.PUBLISHED
    merge = entries_for(near).get(action="signatures.signature.merged")
    assert merge.actor == owner and merge.reason == "one network, two spellings"
    assert page.get_by_text("Nothing waits for approval.").is_visible()
    assert page.get_by_text("No possible duplicate waits for a decision.").is_visible()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_an_owner_keeps_an_import_off_the_list_then_publishes_it(
    page, output_dir, axe_source, language
):
    from tests.conftest import axe_violations

    statement = make_statement()
    sign_in(page, statement)
    page.goto(f"/{language}/dashboard/s/{statement.slug}/import/")
    page.locator("textarea[name=text]").fill("1. Harbour Workers Network\n2. Valley Choir\n")
    page.locator("main form[enctype] button[type=submit]").click()
    page.locator("table.preview").wait_for()
    page.locator("input[name=publish][value=later]").check()
    for size, (width, height) in {"phone": (390, 844), "desktop": (1280, 800)}.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(
            path=str(output_dir / f"import-preview-{language}-{size}.png"), full_page=True
        )
    assert axe_violations(page, axe_source) == []
    page.locator("form:has(table.preview) button[type=submit]").click()
    page.locator("ul.held-imports").wait_for()
    for size, (width, height) in {"phone": (390, 844), "desktop": (1280, 800)}.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(output_dir / f"import-held-{language}-{size}.png"), full_page=True)
    assert axe_violations(page, axe_source) == []
    assert not Signature.objects.filter(status=Signature.Status.PUBLISHED).exists()
    page.locator("ul.held-imports button").click()
    page.locator(".messages").wait_for()
    assert not page.locator("ul.held-imports").count()
    assert Signature.objects.filter(status=Signature.Status.PUBLISHED).count() == 2
