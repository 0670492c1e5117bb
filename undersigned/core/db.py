"""INSERTs for the signing path and the worker, as the ORM writes them, without its per-call cost.

`Model.save()` builds and compiles its INSERT on every call; on the signing path that costs
more than the database does. `insert_one` asks the ORM for the same statement once per model
and database, then only converts the values (with each field's own conversion) and executes
it. Same SQL, same values, same errors (IntegrityError included); no signals are sent, which
the models written this way do not use. `insert_many_or_skip` is the worker's: one multi-row
INSERT that skips refused rows and says which rows it stored.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import connections, models
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery

M = TypeVar("M", bound=models.Model)
_statements: dict[tuple[type[models.Model], str, bool], tuple[str, list[models.Field]]] = {}
# Rows per multi-row INSERT: well under SQLite's 32,766 parameters for a 40-column model.
MANY_ROWS = 500


def _statement(
    model: type[models.Model], alias: str, skip_conflict: bool
) -> tuple[str, list[models.Field]]:
    key = (model, alias, skip_conflict)
    if key not in _statements:
        connection = connections[alias]
        fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
        query = InsertQuery(model, on_conflict=OnConflict.IGNORE if skip_conflict else None)
        query.insert_values(fields, [model()], raw=False)
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = [model._meta.pk]
        [(sql, _params)] = compiler.as_sql()
        _statements[key] = (sql, fields)
    return _statements[key]


def insert_one(obj: M, *, using: str = "default") -> M:
    """INSERT `obj` (a new row with an automatic primary key) and set its pk."""
    _insert(obj, using, skip_conflict=False)
    return obj


def insert_or_skip(obj: M, *, using: str = "default") -> M | None:
    """`insert_one`, but a row the constraints refuse is skipped instead of raising, and None
    is returned (PostgreSQL: ON CONFLICT DO NOTHING; SQLite: INSERT OR IGNORE, which skips a
    row that breaks a NOT NULL or CHECK constraint as well: callers tell the cases apart)."""
    return obj if _insert(obj, using, skip_conflict=True) else None


def _insert(obj: models.Model, using: str, *, skip_conflict: bool) -> bool:
    sql, fields = _statement(type(obj), using, skip_conflict)
    connection = connections[using]
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = using
    return True


def insert_many_or_skip(objs: list[M], *, key: str, using: str = "default") -> list[M]:
    """INSERT `objs` (new rows with automatic primary keys), MANY_ROWS a statement, as the ORM
    writes a bulk INSERT for this database with ON CONFLICT DO NOTHING and RETURNING (SQLite:
    INSERT OR IGNORE … RETURNING; PostgreSQL: from UNNEST of one array a column), skipping
    each row a constraint refuses (as `insert_or_skip` does; of two rows in `objs` that
    conflict, the first is stored). `key` names a field whose value is unique among `objs`:
    the rows the database returns are matched to `objs` by it, since neither database
    promises to return them in order. Returns the stored objects, in the order given, with
    their pk set."""
    connection = connections[using]
    stored: list[M] = []
    for start in range(0, len(objs), MANY_ROWS):
        chunk = objs[start : start + MANY_ROWS]
        if not chunk:
            continue
        # Compiled for each chunk: the SQL depends on the row count (and on PostgreSQL, where
        # Django sends one array a column, so does the shape of the parameters).
        model = type(chunk[0])
        fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
        query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
        query.insert_values(fields, list[models.Model](chunk), raw=False)
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = [model._meta.pk, model._meta.get_field(key)]
        [(sql, params)] = compiler.as_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            returned = {value: pk for pk, value in cursor.fetchall()}
        for obj in chunk:
            pk = returned.pop(getattr(obj, key), None)
            if pk is not None:
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = using
                stored.append(obj)
    return stored
