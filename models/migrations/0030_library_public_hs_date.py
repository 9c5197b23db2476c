"""Issue 14, the public library under an HS filter: a partial index over the rows the public may see (the predicate
``services.library.public.VISIBLE`` writes, checked by a test), by HS code then the list's order.

An HS prefix's page reads the visible rows of the few codes of its range and keeps the newest: through
``library_row_public_date`` it walked the newest rows of every code until enough were of the range (at 5,000,000
rows, thousands of heap reads: 250 ms); ``library_row_public_hs`` held the codes but not the order, so each
candidate row was read from the heap to be sorted. ``library_row_public_hs_date`` (hs_code, declared_on, id)
answers both from the index alone.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

VISIBLE = "public = TRUE AND mark = 'standard' AND superseded = FALSE"


async def create_index(apps, schema_editor) -> None:  # noqa: ANN001 - tortoise's RunPython signature
    await schema_editor.client.execute_script(
        f"CREATE INDEX library_row_public_hs_date ON library_row (hs_code, declared_on, id) WHERE {VISIBLE}")


async def drop_index(apps, schema_editor) -> None:  # noqa: ANN001
    await schema_editor.client.execute_script("DROP INDEX IF EXISTS library_row_public_hs_date")


class Migration(migrations.Migration):
    dependencies = [('models', '0029_review_marks')]

    initial = False

    operations = [
        ops.RunPython(create_index, drop_index),
    ]
