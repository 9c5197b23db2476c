"""Issue 5, the customs desk: audit entries scoped by office; the queue keyword search's trigram indexes.

The trigram indexes exist on PostgreSQL only; on SQLite the operation does nothing. They index the very
expression tortoise's ``icontains`` compares — ``UPPER(CAST(col AS VARCHAR)) LIKE UPPER('%…%')`` — so the
queue's keyword filter (services/questions/queue.py ``_keyword``) can use them for keywords of 3+ characters.
They are not declared on the models (tortoise cannot express them), so they live here only.
"""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

TRIGRAM_INDEXES = (
    ("question_title_trgm", "question", "title"),
    ("enterprise_name_trgm", "enterprise", "name"),
)


async def create_trigram_indexes(apps, schema_editor) -> None:  # noqa: ANN001 - tortoise's RunPython signature
    if schema_editor.client.capabilities.dialect != "postgres":
        return
    await schema_editor.client.execute_script("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        await schema_editor.client.execute_script(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER(CAST("{column}" AS VARCHAR))) gin_trgm_ops)')


async def backfill_audit_offices(apps, schema_editor) -> None:  # noqa: ANN001
    """Entries written before this migration: a customs actor's entry belongs to the account's office."""
    await schema_editor.client.execute_script(
        "UPDATE audit_entry SET office_id = (SELECT office_id FROM customs_account WHERE customs_account.id = "
        "audit_entry.actor_id) WHERE actor_kind = 'customs' AND actor_id IS NOT NULL AND office_id IS NULL")


async def drop_trigram_indexes(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.client.capabilities.dialect != "postgres":
        return
    for name, _, _ in TRIGRAM_INDEXES:
        await schema_editor.client.execute_script(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [('models', '0006_cards')]

    initial = False

    operations = [
        ops.AddField(
            model_name='AuditEntry',
            name='office_id',
            field=fields.IntField(null=True),
        ),
        ops.AddIndex(
            model_name='AuditEntry',
            index=Index(fields=['office_id', 'created_at', 'id']),
        ),
        ops.RunPython(backfill_audit_offices, ops.RunPython.noop),
        ops.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
