"""Issue 14, the library upload's speed: library_row keeps its catalogue version and upload without foreign-key
constraints. PostgreSQL checked both for every inserted row (a query and a row lock each); neither is ever deleted,
and only the upload and the re-check write them, having read them. On SQLite the constraints stay: dropping one means
rebuilding the table, which tortoise's AlterField does without its indexes; only the migration state changes there."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

_COLUMNS = (("catalogue_version_id", "catalogue_version", "RESTRICT"), ("upload_id", "library_upload", "SET NULL"))


class StateOnlyAlterField(ops.AlterField):
    """The field as the models now declare it, with the database left to ``drop_checks``."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:  # noqa: ANN001
        return None

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:  # noqa: ANN001
        return None


async def drop_checks(apps, schema_editor) -> None:  # noqa: ANN001 - tortoise's RunPython signature
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script("ALTER TABLE library_row " + ", ".join(
            f"DROP CONSTRAINT IF EXISTS library_row_{column}_fkey" for column, _, _ in _COLUMNS))


async def restore_checks(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script("ALTER TABLE library_row " + ", ".join(
            f"ADD CONSTRAINT library_row_{column}_fkey FOREIGN KEY ({column}) REFERENCES {table} (id) ON DELETE {rule}"
            for column, table, rule in _COLUMNS))


class Migration(migrations.Migration):
    dependencies = [('models', '0031_library_keyword_bigrams')]

    initial = False

    operations = [
        ops.RunPython(drop_checks, restore_checks),
        StateOnlyAlterField(
            model_name='LibraryRow',
            name='catalogue_version',
            field=fields.ForeignKeyField('models.CatalogueVersion', source_field='catalogue_version_id', db_constraint=False, to_field='id', related_name='library_rows', on_delete=OnDelete.RESTRICT),
        ),
        StateOnlyAlterField(
            model_name='LibraryRow',
            name='upload',
            field=fields.ForeignKeyField('models.LibraryUpload', source_field='upload_id', null=True, db_constraint=False, to_field='id', related_name='rows', on_delete=OnDelete.SET_NULL),
        ),
    ]
