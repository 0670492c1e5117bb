"""INSERTs for the signing path and the worker, as the ORM writes them, without its per-call cost.

`Model.save()` builds and compiles its INSERT on every call; on the signing path that costs
more than the database does. `insert_one` asks the ORM for the same statement once per model
and database, then only converts the values (with each field's own conversion) and executes
it. Same SQL, same values, same errors (IntegrityError included); no signals are sent, which
the models written this way do not use. The worker's multi-row INSERTs, `insert_many` and
`insert_many_or_skip` (which skips refused rows and says which rows it stored), are the
ORM's bulk INSERTs compiled once per model (`_Many`): compiling one value by value, for every
batch, took the ORM half of the worker's time to record a batch on SQLite.
"""

from __future__ import annotations

from typing import NamedTuple, TypeVar

from django.db import connections, models
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery

M = TypeVar("M", bound=models.Model)
_statements: dict[tuple[type[models.Model], str, bool], tuple[str, list[models.Field]]] = {}
# Rows per multi-row INSERT: well under SQLite's 32,766 parameters for a 40-column model.
MANY_ROWS = 500


def _insertable(model: type[models.Model]) -> list[models.Field]:
    """The columns an INSERT of `model` writes: all but the automatic key."""
    return [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]


def _statement(
    model: type[models.Model], alias: str, skip_conflict: bool
) -> tuple[str, list[models.Field]]:
    key = (model, alias, skip_conflict)
    if key not in _statements:
        connection = connections[alias]
        fields = _insertable(model)
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


class _Many(NamedTuple):
    """The ORM's multi-row INSERT of one model, compiled once; per batch only the values are
    converted (each with its field's own conversion, as the ORM does). Two forms, the ORM's
    own for each database: on PostgreSQL one array a column (`INSERT … SELECT * FROM UNNEST`,
    the same text for any number of rows); elsewhere the one-row VALUES group repeated."""

    sql: str  # PostgreSQL: the whole statement; elsewhere the part before the VALUES groups
    group: str  # elsewhere: one row's VALUES group; after it comes `after`
    after: str
    fields: list[models.Field]
    by_column: bool

    def text(self, rows: int) -> str:
        if self.by_column:
            return self.sql
        return f"{self.sql} VALUES {', '.join([self.group] * rows)}{self.after}"

    def params(self, objs: list[M], connection) -> list:
        rows = [
            [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in self.fields]
            for obj in objs
        ]
        if self.by_column:
            return [list(column) for column in zip(*rows, strict=True)]
        return [value for row in rows for value in row]


_forms: dict[tuple, _Many | None] = {}


def _many(model: type[models.Model], alias: str, skip_conflict: bool, key: str | None) -> _Many:
    """The multi-row INSERT of `model` (RETURNING the pk, and `key` if given). LookupError when
    the ORM would not write it in one of the two forms (a field with SQL of its own, a value
    the database computes): the caller then lets the ORM compile it, value by value."""
    form = (model, alias, skip_conflict, key)
    if form not in _forms:
        connection = connections[alias]
        fields = _insertable(model)
        by_column = connection.vendor == "postgresql"
        query = InsertQuery(model, on_conflict=OnConflict.IGNORE if skip_conflict else None)
        # Two rows: the ORM writes a single row as VALUES on PostgreSQL too.
        query.insert_values(fields, [model() for _ in range(2 if by_column else 1)], raw=False)
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = [model._meta.pk]
        if key:
            compiler.returning_fields.append(model._meta.get_field(key))
        [(sql, _params)] = compiler.as_sql()
        _forms[form] = None
        group = "(" + ", ".join(["%s"] * len(fields)) + ")"
        before, values, after = sql.partition(f" VALUES {group}")
        if by_column and " FROM UNNEST(" in sql:
            _forms[form] = _Many(sql, "", "", fields, by_column=True)
        elif not by_column and values and f" VALUES {group}" not in after:
            _forms[form] = _Many(before, group, after, fields, by_column=False)
    found = _forms[form]
    if found is None:
        raise LookupError(model)
    return found


def insert_many(objs: list[M], *, using: str = "default") -> list[M]:
    """INSERT `objs` (new rows with automatic primary keys), MANY_ROWS a statement; integrity
    errors raise, as `bulk_create`'s do. For rows a batch writes and does not read back (audit
    entries, jobs): their pk is not set."""
    connection = connections[using]
    for start in range(0, len(objs), MANY_ROWS):
        chunk = objs[start : start + MANY_ROWS]
        model = type(chunk[0])
        try:
            many = _many(model, using, False, None)
        except LookupError:  # the ORM's own bulk compiler, value by value
            model._default_manager.using(using).bulk_create(chunk)
            continue
        with connection.cursor() as cursor:
            cursor.execute(many.text(len(chunk)), many.params(chunk, connection))
    return objs


def insert_many_or_skip(objs: list[M], *, key: str, using: str = "default") -> list[M]:
    """INSERT `objs` (new rows with automatic primary keys), MANY_ROWS a statement, with the
    ORM's ON CONFLICT DO NOTHING and RETURNING for this database (SQLite: INSERT OR IGNORE …
    RETURNING), skipping each row a constraint refuses (as `insert_or_skip` does; of two rows
    in `objs` that conflict, the first is stored). `key` names a field whose value is unique
    among `objs`: the rows the database returns are matched to `objs` by it, since neither
    database promises to return them in order. Returns the stored objects, in the order given,
    with their pk set."""
    connection = connections[using]
    stored: list[M] = []
    for start in range(0, len(objs), MANY_ROWS):
        chunk = objs[start : start + MANY_ROWS]
        if not chunk:
            continue
        model = type(chunk[0])
        try:
            many = _many(model, using, True, key)
            sql, params = many.text(len(chunk)), many.params(chunk, connection)
        except LookupError:  # the ORM's own bulk compiler, value by value
            fields = _insertable(model)
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
