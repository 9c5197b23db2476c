"""Issue 12: round 1's submission and acceptance times kept across appended rounds; the work queue's indexes.

``first_submitted_at`` / ``first_accepted_at`` are back-filled: a question still in round 1 copies its current
times; a later round takes round 1's last submission to customs and its last acceptance from the timeline
(an acceptance is an ``accept`` entry, or a ``reply`` straight from ``submitted``, which records one).

PostgreSQL only (tortoise cannot declare them on the model, so they live here, as in 0007):
* ``question_open_work``: a partial index of the open work (submitted / accepted) by office and submission
  time — the queue's default view, oldest first, reads a page of it instead of walking past closed rows;
* ``question_number_trgm``: a pg_trgm index on the expression tortoise's ``iendswith`` / ``istartswith``
  compare, so a number suffix search (``… LIKE '%2026%0007'``) is index-served.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

OPEN_WORK = ("submitted", "accepted")


async def backfill_first_times(apps, schema_editor) -> None:  # noqa: ANN001 - tortoise's RunPython signature
    await schema_editor.client.execute_script(
        "UPDATE question SET first_submitted_at = submitted_at, first_accepted_at = accepted_at WHERE round = 1")
    await schema_editor.client.execute_script(
        "UPDATE question SET "
        "first_submitted_at = (SELECT MAX(e.created_at) FROM question_event e WHERE e.question_id = question.id "
        "AND e.round = 1 AND e.to_status = 'submitted' AND (e.from_status IS NULL OR e.from_status <> 'submitted')), "
        "first_accepted_at = (SELECT MAX(e.created_at) FROM question_event e WHERE e.question_id = question.id "
        "AND e.round = 1 AND (e.action = 'accept' OR (e.action = 'reply' AND e.from_status = 'submitted'))) "
        "WHERE round > 1")


async def create_queue_indexes(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.client.capabilities.dialect != "postgres":
        return
    statuses = ", ".join(f"'{s}'" for s in OPEN_WORK)
    await schema_editor.client.execute_script("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    await schema_editor.client.execute_script(
        'CREATE INDEX IF NOT EXISTS "question_open_work" ON "question" ("office_id", "submitted_at", "id") '
        f'WHERE "status" IN ({statuses})')
    await schema_editor.client.execute_script(
        'CREATE INDEX IF NOT EXISTS "question_number_trgm" ON "question" '
        'USING gin ((UPPER(CAST("number" AS VARCHAR))) gin_trgm_ops)')


async def drop_queue_indexes(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.client.capabilities.dialect != "postgres":
        return
    for name in ("question_open_work", "question_number_trgm"):
        await schema_editor.client.execute_script(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [('models', '0009_sms_alerts')]

    initial = False

    operations = [
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
        ops.RunPython(backfill_first_times, ops.RunPython.noop),
        ops.RunPython(create_queue_indexes, drop_queue_indexes),
    ]
