"""On PostgreSQL, the database itself keeps a signature's evidence: a trigger refuses any UPDATE
that changes what was signed, by whom's statement and when (statement, kind, source, import
batch, created, the languages and the text version signed, and a confirmation time once set),
and any DELETE that does not come from retention (which says so with
`set_config('undersigned.deleting', 'retention', true)` in its transaction). Status moves,
owners' corrections of the public details and retention's removal of contact data stay
possible. SQLite has no such trigger: the services are the only writers there."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION undersigned_signature_evidence() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('undersigned.deleting', true) IS DISTINCT FROM 'retention' THEN
            RAISE EXCEPTION 'signatures are evidence: only retention deletes them'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.statement_id IS DISTINCT FROM OLD.statement_id
       OR NEW.kind IS DISTINCT FROM OLD.kind
       OR NEW.source IS DISTINCT FROM OLD.source
       OR NEW.import_batch_id IS DISTINCT FROM OLD.import_batch_id
       OR NEW.created IS DISTINCT FROM OLD.created
       OR NEW.language IS DISTINCT FROM OLD.language
       OR NEW.text_language IS DISTINCT FROM OLD.text_language
       OR NEW.text_version IS DISTINCT FROM OLD.text_version
       OR (OLD.confirmed_at IS NOT NULL AND NEW.confirmed_at IS DISTINCT FROM OLD.confirmed_at)
    THEN
        RAISE EXCEPTION 'signatures are evidence: what was signed, and when, cannot change'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER signature_evidence
BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION undersigned_signature_evidence();
"""

DROP = """
DROP TRIGGER IF EXISTS signature_evidence ON {table};
DROP FUNCTION IF EXISTS undersigned_signature_evidence();
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = apps.get_model("signatures", "Signature")._meta.db_table
        schema_editor.execute(sql.format(table=schema_editor.quote_name(table)))

    return run


class Migration(migrations.Migration):
    dependencies = [("signatures", "0009_name_key_folds_lookalikes")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
