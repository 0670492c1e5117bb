"""Test data, built through the same services the platform uses."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from undersigned.signatures.models import Signature
from undersigned.signatures.services import (
    SignerDetails,
    signature_confirm,
    signature_create,
    submissions_take,
)
from undersigned.signatures.tokens import make_token
from undersigned.statements.models import Statement
from undersigned.statements.services import statement_create

_counter = itertools.count(1)


def make_statement(**fields) -> Statement:
    n = next(_counter)
    slug = fields.pop("slug", f"statement-{n}")
    texts = fields.pop(
        "texts",
        {
            "en": (f"Statement number {n}", "We ask for **clean** water.\n\nSigned below."),
            "ar": (f"البيان رقم {n}", "نطالب بمياه **نظيفة**."),
        },
    )
    defaults = {
        "reference": f"TS-{n:03d}-2026",
        "state": Statement.State.OPEN,
        "signers": Statement.Signers.BOTH,
        "default_language": "en",
    }
    defaults.update(fields)
    return statement_create(slug=slug, texts=texts, **defaults)


def individual(**overrides) -> SignerDetails:
    n = next(_counter)
    values = {
        "kind": "individual",
        "name": f"Person {n}",
        "country": "FR",
        "email": f"person{n}@example.org",
        "show_name": True,
        "affiliation": "",
    }
    values.update(overrides)
    return SignerDetails(**values)


def organization(**overrides) -> SignerDetails:
    n = next(_counter)
    values = {
        "kind": "organization",
        "name": f"Association {n}",
        "acronym": f"A{n}",
        "country": "MA",
        "email": f"office{n}@assoc{n}.example.org",
        "show_name": True,
        "website": f"https://assoc{n}.example.org",
        "contact_name": f"Contact Person {n}",
        "contact_role": "Coordinator",
    }
    values.update(overrides)
    return SignerDetails(**values)


def sign(
    statement: Statement, details: SignerDetails, language: str = "en", *, early: bool = False
) -> Signature:
    text = statement.texts.get(language=statement.default_language)
    return signature_create(
        statement=statement, details=details, text=text, language=language, early=early
    )


def confirm_token(signature: Signature) -> str:
    signature.refresh_from_db()
    return make_token(purpose="confirm", signature_id=signature.pk, nonce=signature.token_nonce)


def sign_and_confirm(
    statement: Statement, details: SignerDetails, language: str = "en"
) -> Signature:
    signature = sign(statement, details, language)
    return signature_confirm(token=confirm_token(signature))


def make_superuser(username: str = "owner", password: str = "a-long-test-password"):
    return get_user_model().objects.create_superuser(
        username=username, email=f"{username}@example.org", password=password
    )


def preview_data(response) -> dict:
    """What the preview form sends back when the owner changes nothing."""
    formset, meta = response.context["formset"], response.context["meta"]
    data = {
        formset.management_form.add_prefix(k): v for k, v in formset.management_form.initial.items()
    }
    for form in formset:
        for name in form.fields:
            value = form.initial.get(name)
            if name == "include":
                if value:
                    data[form.add_prefix(name)] = "on"
            elif value is not None:
                data[form.add_prefix(name)] = value
    data.update({name: meta[name].initial or "" for name in meta.fields})
    return data


def record_submissions(*, batch: int = 100) -> int:
    """What the worker does first on each turn: record every waiting signing submission as a
    signature (with its audit entry and email job), `batch` at a time. The number recorded."""
    total = 0
    while taken := submissions_take(limit=batch):
        total += taken
    return total


def record_submissions_in_parallel(workers: int = 4, *, batch: int = 2) -> list[int]:
    """`record_submissions` by several workers at once, each on its own connection, taking
    small batches and starting together, so the rows are spread across them as across
    several worker processes (tests of races use it). How many each recorded."""
    import threading

    from django.db import connection

    counts = [0] * workers
    start = threading.Barrier(workers)

    def work(index: int) -> None:
        try:
            start.wait()
            counts[index] = record_submissions(batch=batch)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return counts
