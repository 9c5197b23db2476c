"""Issue 14, the public library: two partial indexes over the rows the public may see (public 规范 rows not
superseded — the predicate ``services.library.public.VISIBLE`` writes, checked by a test).

``library_row_public_parties`` (hs_code, consignee_code) lets the threshold "at least N different enterprises
declared this HS code" be answered by N index probes per HS code (a loose index scan of the distinct 收发货人),
instead of grouping every public row; ``library_row_public_date`` (declared_on, id) serves the public list's
order, so its first page reads the newest rows and stops. SQLite and PostgreSQL both have partial indexes.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

VISIBLE = "public = TRUE AND mark = 'standard' AND superseded = FALSE"


async def create_indexes(apps, schema_editor) -> None:  # noqa: ANN001 - tortoise's RunPython signature
    client = schema_editor.client
    await client.execute_script(
        f"CREATE INDEX library_row_public_parties ON library_row (hs_code, consignee_code) WHERE {VISIBLE}")
    await client.execute_script(
        f"CREATE INDEX library_row_public_date ON library_row (declared_on, id) WHERE {VISIBLE}")


async def drop_indexes(apps, schema_editor) -> None:  # noqa: ANN001
    await schema_editor.client.execute_script("DROP INDEX IF EXISTS library_row_public_parties")
    await schema_editor.client.execute_script("DROP INDEX IF EXISTS library_row_public_date")


class Migration(migrations.Migration):
    dependencies = [('models', '0021_message_sweeps')]

    initial = False

    operations = [
        ops.RunPython(create_indexes, drop_indexes),
    ]
