"""One declaration-kind vocabulary: 企业设置's business switches stored their own kind values; they now store the
declarations module's (``models.declarations.DeclarationKind``), which the entry checks before a new draft."""

import json

from tortoise import migrations
from tortoise.migrations import operations as ops

RENAMED = {"export_declaration": "export", "export_record_list": "export_record",
           "export_transit": "export_transit", "exit_transit_record_list": "export_transit_record"}


async def rename_kinds(apps, schema_editor) -> None:  # noqa: ANN001 - tortoise's RunPython signature
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    _, rows = await client.execute_query("SELECT id, declaration_kinds FROM company_settings")
    for row in rows:
        kinds = row["declaration_kinds"]
        kinds = json.loads(kinds) if isinstance(kinds, str) else kinds
        renamed = json.dumps([RENAMED.get(kind, kind) for kind in kinds])
        sql = ("UPDATE company_settings SET declaration_kinds = $1::jsonb WHERE id = $2" if postgres
               else "UPDATE company_settings SET declaration_kinds = ? WHERE id = ?")
        await client.execute_query(sql, [renamed, row["id"]])


class Migration(migrations.Migration):
    dependencies = [('models', '0024_library_notices')]

    initial = False

    operations = [
        ops.RunPython(rename_kinds, ops.RunPython.noop),
    ]
