"""Share cards (issue 20, point 1): OpenGraph and Twitter tags in the page's language with the
title and description cut between words, and a 1200×630 PNG with the title (Arabic shaped and
right to left), the counts and the progress to the goal, drawn again at most once a minute and
once for any number of readers at a time."""

from __future__ import annotations

import io
import os
import re
import threading
import time

import pytest
from django.test import Client
from PIL import Image, ImageChops, ImageFont

from tests.factories import make_statement, organization, sign_and_confirm
from undersigned.signatures import cards
from undersigned.signatures.services import statement_list_refresh

TITLES = {
    "en": "Keep the public libraries of our city open in the evening and on weekends for everyone",
    "ar": "أبقوا المكتبات العامة في مدينتنا مفتوحة في المساء وفي عطلة نهاية الأسبوع للجميع",
}
BODY = " ".join(["We ask the council to keep the libraries open after work."] * 8)


@pytest.fixture
def statement(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    made = make_statement(goal=10, texts={"en": (TITLES["en"], BODY), "ar": (TITLES["ar"], "نص.")})
    sign_and_confirm(made, organization(name="Friends of the Library"))
    statement_list_refresh(statement_id=made.pk)
    return made


def png(response) -> Image.Image:
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.django_db
def test_the_page_carries_share_tags_in_its_language(client, statement):
    for language in ("en", "ar"):
        page = client.get(f"/{language}/s/{statement.slug}/").content.decode()
        tags = dict(re.findall(r'<meta (?:property|name)="([a-z:_]+)" content="([^"]*)"', page))
        assert len(tags["og:title"]) <= 70 and tags["og:title"].endswith("…")
        assert TITLES[language].startswith(tags["og:title"][:-1])  # cut between two words
        assert TITLES[language][len(tags["og:title"]) - 1] == " "
        assert tags["twitter:card"] == "summary_large_image"
        assert tags["og:image"].endswith(f"/{language}/s/{statement.slug}/card.png")
        assert tags["og:image"].startswith("http")
        assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    english = client.get(f"/en/s/{statement.slug}/").content.decode()
    description = re.search(r'property="og:description" content="([^"]*)"', english).group(1)
    assert len(description) <= 200 and description.endswith("…")


@pytest.mark.django_db
def test_the_card_is_1200_by_630_with_arabic_shaped_and_right_to_left(client, statement):
    response = client.get(f"/ar/s/{statement.slug}/card.png")
    assert response["Content-Type"] == "image/png" and "max-age=60" in response["Cache-Control"]
    card = png(response).convert("RGB")
    assert card.size == (1200, 630)
    # Right to left: the title's lines end at the right margin, not the left one.
    title_band = card.crop((0, cards.MARGIN, 1200, 300))
    ink = ImageChops.difference(title_band, Image.new("RGB", title_band.size, "white")).getbbox()
    assert ink is not None and abs(ink[2] - (1200 - cards.MARGIN)) <= 4 and ink[0] > cards.MARGIN
    # Shaped: the letters take their joined forms, so the word is narrower than its letters
    # set apart, and the card differs from one drawn without shaping.
    font = ImageFont.truetype(cards.FONTS["arabic"], 64, layout_engine=ImageFont.Layout.RAQM)
    word = "المكتبات"
    joined = font.getlength(word, direction="rtl")
    apart = sum(font.getlength(letter) for letter in word)
    assert joined < apart * 0.95
    # The card is drawn with that layout: drawing it again gives the same pixels, with fonts
    # laid out by raqm (shaped), whose word differs from the unshaped one.
    inputs = cards._inputs(statement, cards.ListTally.objects.get(statement=statement), "ar")
    assert cards.draw_card(**inputs).tobytes() == card.tobytes()

    assert cards._font(TITLES["ar"], 64).layout_engine == ImageFont.Layout.RAQM
    basic = ImageFont.truetype(cards.FONTS["arabic"], 64, layout_engine=ImageFont.Layout.BASIC)
    assert bytes(font.getmask(word, direction="rtl")) != bytes(basic.getmask(word))
    # The English card is drawn from the left.
    english = png(client.get(f"/en/s/{statement.slug}/card.png")).convert("RGB")
    band = english.crop((0, cards.MARGIN, 1200, 300))
    ink = ImageChops.difference(band, Image.new("RGB", band.size, "white")).getbbox()
    assert abs(ink[0] - cards.MARGIN) <= 4


@pytest.mark.django_db(transaction=True)
def test_the_card_is_drawn_at_most_once_a_minute_and_once_for_a_crowd(statement, monkeypatch):
    drawn = []
    original = cards.draw_card

    def counting(**inputs):
        drawn.append(inputs["counts"])
        time.sleep(0.3)  # a slow drawing, so the crowd arrives while it runs
        return original(**inputs)

    monkeypatch.setattr(cards, "draw_card", counting)
    answers = []

    def reader():
        answers.append(Client().get(f"/en/s/{statement.slug}/card.png").status_code)

    crowd = [threading.Thread(target=reader) for _ in range(8)]
    for thread in crowd:
        thread.start()
    for thread in crowd:
        thread.join()
    assert answers == [200] * 8 and len(drawn) == 1
    # The counts change: within the minute the card stays as it is...
    sign_and_confirm(statement, organization(name="Harbour Readers"))
    statement_list_refresh(statement_id=statement.pk)
    Client().get(f"/en/s/{statement.slug}/card.png")
    assert len(drawn) == 1
    # ...and after it, the next reader gets a new one (once).
    path = cards.Path(statement_card_dir(statement)) / "en.png"
    old = time.time() - 61
    os.utime(path, (old, old))
    Client().get(f"/en/s/{statement.slug}/card.png")
    Client().get(f"/en/s/{statement.slug}/card.png")
    assert len(drawn) == 2 and drawn[-1].startswith("2 organizations")


def statement_card_dir(statement):
    from django.conf import settings

    return settings.DATA_DIR / "cards" / str(statement.pk)
