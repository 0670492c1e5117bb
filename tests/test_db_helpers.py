"""The one-row INSERT used on the signing path stores exactly what Model.save() stores."""

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from tests.factories import individual, make_statement, sign
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
