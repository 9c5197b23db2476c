"""Issue 14, the library upload's speed: the keyword column holds only bigrams, compared byte by byte.

``services.library.keywords`` no longer stores single characters (a keyword needs two characters in a row): about
half the tokens of a row, and the GIN index an upload writes was the largest part of its storing. The stored rows
lose their single characters here too. On PostgreSQL the column's collation becomes "C": the index compares its
tokens with ``memcmp`` instead of the locale's collation (equality, all ``@>`` asks, is the same under both).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

_INDEX = "CREATE INDEX library_row_keywords ON library_row USING gin (keywords)"


async def keep_bigrams(apps, schema_editor) -> None:  # noqa: ANN001 - tortoise's RunPython signature
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":  # the index is built once, after the rows changed
        await client.execute_script(
            "DROP INDEX IF EXISTS library_row_keywords; "
            "UPDATE library_row SET keywords = ARRAY(SELECT t FROM unnest(keywords) AS t WHERE char_length(t) = 2) "
            "WHERE EXISTS (SELECT FROM unnest(keywords) AS t WHERE char_length(t) <> 2); "
            f'ALTER TABLE library_row ALTER COLUMN keywords TYPE text[] COLLATE "C"; {_INDEX}')
        return
    _, rows = await client.execute_query("SELECT id, keywords FROM library_row")
    changed = [[" " + " ".join(t for t in row["keywords"].split() if len(t) == 2) + " ", row["id"]] for row in rows]
    if changed:
        await client.execute_many("UPDATE library_row SET keywords = ? WHERE id = ?", changed)


async def default_collation(apps, schema_editor) -> None:  # noqa: ANN001 - the single characters stay gone
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script("DROP INDEX IF EXISTS library_row_keywords; "
                                    f'ALTER TABLE library_row ALTER COLUMN keywords TYPE text[] COLLATE "default"; '
                                    f"{_INDEX}")


class Migration(migrations.Migration):
    dependencies = [('models', '0030_library_public_hs_date')]

    initial = False

    operations = [
        ops.RunPython(keep_bigrams, default_collation),
    ]
