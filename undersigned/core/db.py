"""INSERTs for the signing path and the worker, as the ORM writes them, without its per-call cost.

`Model.save()` builds and compiles its INSERT on every call; on the signing path that costs
more than the database does. `insert_one` asks the ORM for the same statement once per model
and database, then only converts the values (with each field's own conversion) and executes
it. Same SQL, same values, same errors (IntegrityError included); no signals are sent, which
the models written this way do not use. The worker's multi-row INSERTs, `insert_many` and
`insert_many_or_skip` (which skips refused rows and says which rows it stored), repeat the
ORM's one-row VALUES group once a row: compiling a bulk INSERT value by value took the ORM
half of the worker's time to record a batch on SQLite.
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


def _rows(
    model: type[models.Model], alias: str, skip_conflict: bool, key: str | None, rows: int
) -> tuple[str, list[models.Field]]:
    """The ORM's INSERT of one row of `model` (RETURNING the pk, and `key` if given), with its
    VALUES group repeated for `rows` rows. Compiled once per model, database and form.
    LookupError where the ORM's own bulk compiler is the better choice: on PostgreSQL, where it
    sends one array a column (UNNEST), which psycopg converts faster than a placeholder a value,
    and for a model whose group is not plain placeholders (a field with SQL of its own)."""
    form = (model, alias, skip_conflict, key)
    if form not in _groups:
        connection = connections[alias]
        if connection.vendor == "postgresql":
            _groups[form] = None
            raise LookupError(model)
        fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
        query = InsertQuery(model, on_conflict=OnConflict.IGNORE if skip_conflict else None)
        query.insert_values(fields, [model()], raw=False)
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = [model._meta.pk]
        if key:
            compiler.returning_fields.append(model._meta.get_field(key))
        [(sql, _params)] = compiler.as_sql()
        group = "(" + ", ".join(["%s"] * len(fields)) + ")"
        before, values, after = sql.partition(f" VALUES {group}")
        plain = values and after.count(f" VALUES {group}") == 0
        _groups[form] = (before, group, after, fields) if plain else None
    found = _groups[form]
    if found is None:
        raise LookupError(model)
    before, group, after, fields = found
    return f"{before} VALUES {', '.join([group] * rows)}{after}", fields


_groups: dict[tuple, tuple[str, str, str, list[models.Field]] | None] = {}


def _rows_params(objs: list[M], fields: list[models.Field], connection) -> list:
    return [
        field.get_db_prep_save(field.pre_save(obj, True), connection)
        for obj in objs
        for field in fields
    ]


def insert_many(objs: list[M], *, using: str = "default") -> list[M]:
    """INSERT `objs` (new rows with automatic primary keys), MANY_ROWS a statement; integrity
    errors raise, as `bulk_create`'s do. For rows a batch writes and does not read back (audit
    entries, jobs): their pk is not set."""
    connection = connections[using]
    for start in range(0, len(objs), MANY_ROWS):
        chunk = objs[start : start + MANY_ROWS]
        model = type(chunk[0])
        try:
            sql, fields = _rows(model, using, False, None, len(chunk))
        except LookupError:  # the ORM's own bulk compiler, value by value
            model._default_manager.using(using).bulk_create(chunk)
            continue
        with connection.cursor() as cursor:
            cursor.execute(sql, _rows_params(chunk, fields, connection))
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
            sql, fields = _rows(model, using, True, key, len(chunk))
            params = _rows_params(chunk, fields, connection)
        except LookupError:  # the ORM's own bulk compiler, value by value
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
