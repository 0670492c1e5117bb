"""On PostgreSQL the database refuses to rewrite or delete a signature's evidence, whoever
asks (raw SQL here); retention's deletes and the lifecycle's moves go through."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tests.factories import individual, make_statement, sign, sign_and_confirm
from undersigned.signatures.models import Signature
from undersigned.signatures.upkeep import retention_run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_postgresql")]
TABLE = Signature._meta.db_table


def sql(statement: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.parametrize(
    "column, value",
    [
        ("text_version", "forged"),
        ("created", "2001-01-01T00:00:00Z"),
        ("language", "fr"),
        ("kind", "organization"),
        ("confirmed_at", "2001-01-01T00:00:00Z"),
    ],
)
def test_what_was_signed_and_when_cannot_be_rewritten(column, value):
    signature = sign_and_confirm(make_statement(), individual())
    with pytest.raises(IntegrityError, match="evidence"):
        sql(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [value, signature.pk])  # noqa: S608
    fresh = Signature.objects.get(pk=signature.pk)
    assert str(getattr(fresh, column)) == str(getattr(signature, column))


def test_moves_corrections_and_a_first_confirmation_go_through():
    signature = sign(make_statement(), individual())
    sql(
        f"UPDATE {TABLE} SET confirmed_at = now(), status = 'published' WHERE id = %s",
        [signature.pk],
    )  # noqa: S608
    sql(f"UPDATE {TABLE} SET name = 'Corrected Name' WHERE id = %s", [signature.pk])  # noqa: S608
    signature.refresh_from_db()
    assert (signature.status, signature.name) == ("published", "Corrected Name")


def test_a_delete_is_refused_unless_retention_makes_it():
    statement = make_statement()
    confirmed = sign_and_confirm(statement, individual())
    with pytest.raises(IntegrityError, match="only retention deletes"):
        sql(f"DELETE FROM {TABLE} WHERE id = %s", [confirmed.pk])  # noqa: S608
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        stale = sign(statement, individual())  # never confirmed
    assert retention_run()["unconfirmed_deleted"] == 1
    assert not Signature.objects.filter(pk=stale.pk).exists()
    assert Signature.objects.filter(pk=confirmed.pk).exists()
