"""The INSERTs of the signing path and the worker store exactly what Model.save() and
bulk_create() store."""

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from tests.factories import individual, make_statement, sign
from undersigned.core import db
from undersigned.core.db import insert_one, insert_or_skip
from undersigned.core.models import AuditEntry
from undersigned.jobs.models import Job
from undersigned.signatures.models import Signature

pytestmark = pytest.mark.django_db


def test_insert_one_stores_what_save_stores():
    statement = make_statement()
    original = sign(statement, individual(name="Ana López", email="ana@example.org"))
    saved = Signature.objects.get(pk=original.pk)
    copy = Signature.objects.get(pk=original.pk)
    copy.pk = None
    copy.email_normalized = "other@example.org"
    insert_one(copy)
    stored = Signature.objects.get(pk=copy.pk)
    skip = {"id", "email_normalized", "created"}
    assert {k: v for k, v in model_to_dict(stored).items() if k not in skip} == {
        k: v for k, v in model_to_dict(saved).items() if k not in skip
    }
    assert stored.created == saved.created and stored.token_expires == saved.token_expires


def test_insert_one_handles_json_foreign_keys_and_defaults():
    statement = make_statement()
    entry = insert_one(
        AuditEntry(action="x.y.z", object_type="a.b", object_id=statement.pk, data={"k": [1, "é"]})
    )
    assert AuditEntry.objects.get(pk=entry.pk).data == {"k": [1, "é"]}
    sign(statement, individual())
    job = Job.objects.get(kind="signatures.send_email")
    assert job.status == Job.Status.PENDING and job.attempts == 0 and job.key == ""


def test_insert_one_raises_integrity_errors_like_save():
    statement = make_statement()
    first = sign(statement, individual(email="ana@example.org"))
    duplicate = Signature.objects.get(pk=first.pk)
    duplicate.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_one(duplicate)


def test_insert_or_skip_skips_a_row_the_unique_constraint_refuses_and_stores_the_others():
    statement = make_statement()
    first = sign(statement, individual(email="once@example.org"))
    again = Signature.objects.get(pk=first.pk)
    again.pk = None
    assert insert_or_skip(again) is None  # the same live mailbox: skipped, nothing raised
    assert Signature.objects.filter(email_normalized="once@example.org").count() == 1
    again.email_normalized = "other@example.org"
    assert insert_or_skip(again) is again and again.pk != first.pk


def _copies(signature: Signature, count: int) -> list[Signature]:
    copies = []
    for n in range(count):
        copy = Signature.objects.get(pk=signature.pk)
        copy.pk = None
        copy.email_normalized = f"copy{n}@example.org"
        copy.token_nonce = f"nonce-{n}"
        copy.name = f"Zoë {n} \u202eمرحبا"
        copies.append(copy)
    return copies


@pytest.fixture(params=["compiled once", "ORM bulk compiler"])
def insert_path(request, monkeypatch):
    """Both ways the multi-row INSERTs are written: compiled once per model (the one-row VALUES
    group repeated on SQLite, one array a column on PostgreSQL), and the ORM's bulk compiler
    for a model that fits neither form."""
    monkeypatch.setattr(db, "_forms", {})
    if request.param == "ORM bulk compiler":

        def orm_only(model, *_args):
            raise LookupError(model)

        monkeypatch.setattr(db, "_many", orm_only)
    return request.param


def test_insert_many_stores_what_bulk_create_stores_in_parts(insert_path, monkeypatch):
    monkeypatch.setattr(db, "MANY_ROWS", 7)  # 20 rows: three statements
    statement = make_statement()
    template = sign(statement, individual(name="Ana López", email="ana@example.org"))
    ours, theirs = _copies(template, 20), _copies(template, 20)
    for copy in theirs:
        copy.email_normalized = "b-" + copy.email_normalized
        copy.token_nonce = "b-" + copy.token_nonce
    db.insert_many(ours)
    Signature.objects.bulk_create(theirs)
    skip = {"id", "email_normalized", "token_nonce"}

    def stored(prefix: str) -> list[dict]:
        rows = Signature.objects.filter(email_normalized__startswith=prefix).order_by("id")
        return [{k: v for k, v in model_to_dict(r).items() if k not in skip} for r in rows]

    assert len(stored("copy")) == 20
    assert stored("copy") == stored("b-copy")
    entries = [AuditEntry(action="x.y.z", object_type="a.b", object_id=n, data={"n": [n, "é"]})
               for n in range(9)]  # fmt: skip
    db.insert_many(entries)
    assert [e.data for e in AuditEntry.objects.filter(action="x.y.z").order_by("id")] == [
        {"n": [n, "é"]} for n in range(9)
    ]


def test_insert_many_raises_integrity_errors_like_bulk_create(insert_path):
    statement = make_statement()
    first = sign(statement, individual(email="ana@example.org"))
    [duplicate] = _copies(first, 1)
    duplicate.email_normalized = first.email_normalized
    with pytest.raises(IntegrityError), transaction.atomic():
        db.insert_many([duplicate])


def test_insert_many_or_skip_stores_the_rows_it_can_and_says_which(insert_path, monkeypatch):
    monkeypatch.setattr(db, "MANY_ROWS", 4)
    statement = make_statement()
    first = sign(statement, individual(email="taken@example.org"))
    rows = _copies(first, 10)
    rows[3].email_normalized = "taken@example.org"  # refused: that mailbox signed
    rows[7].email_normalized = rows[6].email_normalized  # refused: the batch's own earlier row
    stored = db.insert_many_or_skip(rows, key="token_nonce")
    assert stored == [row for n, row in enumerate(rows) if n not in (3, 7)]
    for row in stored:
        assert Signature.objects.get(pk=row.pk).token_nonce == row.token_nonce
    assert rows[3].pk is None and rows[7].pk is None
