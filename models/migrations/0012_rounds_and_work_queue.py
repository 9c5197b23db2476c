"""Issue 12: round 1's submission and acceptance times kept across appended rounds; the number suffix search.

``first_submitted_at`` / ``first_accepted_at`` are back-filled: a question still in round 1 copies its current
times; a later round takes round 1's last submission to customs and its last acceptance from the timeline
(an acceptance is an ``accept`` entry, or a ``reply`` straight from ``submitted``, which records one).

``number_reversed`` holds the number backwards, so a suffix search is a prefix search; on PostgreSQL it and
``number`` get ``varchar_pattern_ops`` indexes (a ``LIKE 'x%'`` is index-served whatever the database's
collation), which tortoise cannot declare on the model, so they live here only.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


async def backfill(apps, schema_editor) -> None:  # noqa: ANN001 - tortoise's RunPython signature
    client = schema_editor.client
    await client.execute_script(
        "UPDATE question SET first_submitted_at = submitted_at, first_accepted_at = accepted_at WHERE round = 1")
    await client.execute_script(
        "UPDATE question SET "
        "first_submitted_at = (SELECT MAX(e.created_at) FROM question_event e WHERE e.question_id = question.id "
        "AND e.round = 1 AND e.to_status = 'submitted' AND (e.from_status IS NULL OR e.from_status <> 'submitted')), "
        "first_accepted_at = (SELECT MAX(e.created_at) FROM question_event e WHERE e.question_id = question.id "
        "AND e.round = 1 AND (e.action = 'accept' OR (e.action = 'reply' AND e.from_status = 'submitted'))) "
        "WHERE round > 1")
    if client.capabilities.dialect == "postgres":
        await client.execute_script("UPDATE question SET number_reversed = reverse(number)")
        # rows inserted by raw SQL (the bench's fills) may leave it out, as they could before this column
        await client.execute_script("ALTER TABLE question ALTER COLUMN number_reversed SET DEFAULT ''")
        return
    _, rows = await client.execute_query("SELECT id, number FROM question")  # SQLite has no reverse()
    for row in rows:
        await client.execute_query("UPDATE question SET number_reversed = ? WHERE id = ?",
                                   [row["number"][::-1], row["id"]])


PATTERN_INDEXES = (("question_number_reversed", "number_reversed"), ("question_number_pattern", "number"))


async def create_indexes(apps, schema_editor) -> None:  # noqa: ANN001
    """A number suffix and a number prefix: both ``LIKE 'x%'``. (SQLite's unique index on number suffices.)"""
    postgres = schema_editor.client.capabilities.dialect == "postgres"
    for name, column in PATTERN_INDEXES:
        if postgres or column == "number_reversed":
            opclass = " varchar_pattern_ops" if postgres else ""
            await schema_editor.client.execute_script(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "question" ("{column}"{opclass})')


async def drop_indexes(apps, schema_editor) -> None:  # noqa: ANN001
    for name, _ in PATTERN_INDEXES:
        await schema_editor.client.execute_script(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [('models', '0011_wechat_claims_tokens')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Question',
            name='number_reversed',
            field=fields.CharField(default='', max_length=24),
        ),
        ops.AddField(
            model_name='Question',
            name='first_submitted_at',
            field=fields.DatetimeField(null=True),
        ),
        ops.AddField(
            model_name='Question',
            name='first_accepted_at',
            field=fields.DatetimeField(null=True),
        ),
        ops.RunPython(backfill, ops.RunPython.noop),
        ops.RunPython(create_indexes, drop_indexes),
    ]
