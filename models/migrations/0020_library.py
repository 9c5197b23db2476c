"""Issue 14, the declaration-standard library: versioned reference data (catalogue versions, HS codes with their
declaration elements, code tables), uploads, library rows.

``library_row.keywords`` holds the overlapping character bigrams and single characters of 品名 and 规格型号
(``services.library.keywords``). On PostgreSQL it is ``text[]`` with a GIN index, so a two-character keyword
(轴承) is an index-served ``keywords @> ARRAY[…]`` (pg_trgm needs three characters); on SQLite it is the tokens
joined by spaces and the (small) library is scanned. Tortoise cannot declare either, so the column lives here only.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.library import IeFlag, LibraryMark, LibrarySource, UploadKind, UploadStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


async def create_keywords(apps, schema_editor) -> None:  # noqa: ANN001 - tortoise's RunPython signature
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script("ALTER TABLE library_row ADD COLUMN keywords text[] NOT NULL DEFAULT '{}'")
        await client.execute_script("CREATE INDEX library_row_keywords ON library_row USING gin (keywords)")
    else:
        await client.execute_script("ALTER TABLE library_row ADD COLUMN keywords TEXT NOT NULL DEFAULT ''")


async def drop_keywords(apps, schema_editor) -> None:  # noqa: ANN001
    await schema_editor.client.execute_script("DROP INDEX IF EXISTS library_row_keywords")
    await schema_editor.client.execute_script("ALTER TABLE library_row DROP COLUMN keywords")

class Migration(migrations.Migration):
    dependencies = [('models', '0019_personal')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CatalogueVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=16)),
                ('name', fields.CharField(max_length=100)),
                ('effective_from', fields.DateField()),
                ('source', fields.CharField(default='', max_length=300)),
                ('loaded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'catalogue_version', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CodeTable',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=50)),
            ],
            options={'table': 'code_table', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CodeItem',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('table', fields.ForeignKeyField('models.CodeTable', source_field='table_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=16)),
                ('name', fields.CharField(max_length=255)),
                ('sort', fields.IntField(default=0)),
            ],
            options={'table': 'code_item', 'app': 'models', 'unique_together': (('table_id', 'code'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HsCode',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.ForeignKeyField('models.CatalogueVersion', source_field='version_id', db_constraint=True, to_field='id', related_name='hs_codes', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=10)),
                ('name', fields.CharField(max_length=255)),
                ('unit1', fields.CharField(default='', max_length=20)),
                ('unit2', fields.CharField(default='', max_length=20)),
                ('elements', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'hs_code', 'app': 'models', 'unique_together': (('version_id', 'code'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LibraryUpload',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='AUDITED: audited\nDECLARED: declared', enum_type=UploadKind, max_length=16)),
                ('account', fields.ForeignKeyField('models.CustomsAccount', source_field='account_id', db_constraint=True, to_field='id', related_name='library_uploads', on_delete=OnDelete.RESTRICT)),
                ('office', fields.ForeignKeyField('models.CustomsOffice', source_field='office_id', db_constraint=True, to_field='id', related_name='library_uploads', on_delete=OnDelete.RESTRICT)),
                ('filename', fields.CharField(max_length=255)),
                ('stored_path', fields.CharField(max_length=500)),
                ('status', fields.CharEnumField(default=UploadStatus.QUEUED, description='QUEUED: queued\nRUNNING: running\nDONE: done\nFAILED: failed', enum_type=UploadStatus, max_length=16)),
                ('job', fields.ForeignKeyField('models.Job', source_field='job_id', null=True, db_constraint=True, to_field='id', related_name='library_uploads', on_delete=OnDelete.SET_NULL)),
                ('rows_total', fields.IntField(default=0)),
                ('rows_accepted', fields.IntField(default=0)),
                ('rows_stored', fields.IntField(default=0)),
                ('rows_rejected', fields.IntField(default=0)),
                ('errors', fields.IntField(default=0)),
                ('error_path', fields.CharField(default='', max_length=500)),
                ('error', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'library_upload', 'app': 'models', 'indexes': [Index(fields=['office_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LibraryRow',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('entry_number', fields.CharField(max_length=18)),
                ('item_number', fields.SmallIntField()),
                ('source', fields.CharEnumField(description='AUDITED: audited\nDECLARED: declared\nDECLARATION: declaration', enum_type=LibrarySource, max_length=16)),
                ('declared_on', fields.DateField()),
                ('ie_flag', fields.CharEnumField(description='IMPORT: I\nEXPORT: E', enum_type=IeFlag, max_length=1)),
                ('trade_mode', fields.CharField(max_length=4)),
                ('customs_office', fields.CharField(max_length=4)),
                ('transport_mode', fields.CharField(default='', max_length=1)),
                ('transaction_mode', fields.CharField(default='', max_length=1)),
                ('hs_code', fields.CharField(max_length=10)),
                ('goods_name', fields.CharField(max_length=255)),
                ('model_spec', fields.TextField(unique=False)),
                ('elements', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('declarant_code', fields.CharField(max_length=18)),
                ('declarant_name', fields.CharField(max_length=255)),
                ('declarant_enterprise', fields.ForeignKeyField('models.Enterprise', source_field='declarant_enterprise_id', null=True, db_constraint=True, to_field='id', related_name='library_declared', on_delete=OnDelete.SET_NULL)),
                ('consignee_code', fields.CharField(max_length=18)),
                ('consignee_name', fields.CharField(max_length=255)),
                ('consignee_enterprise', fields.ForeignKeyField('models.Enterprise', source_field='consignee_enterprise_id', null=True, db_constraint=True, to_field='id', related_name='library_consigned', on_delete=OnDelete.SET_NULL)),
                ('origin_country', fields.CharField(default='', max_length=3)),
                ('destination_country', fields.CharField(default='', max_length=3)),
                ('quantity', fields.DecimalField(null=True, max_digits=19, decimal_places=5)),
                ('unit', fields.CharField(default='', max_length=3)),
                ('legal_quantity', fields.DecimalField(null=True, max_digits=19, decimal_places=5)),
                ('legal_unit', fields.CharField(default='', max_length=3)),
                ('total_price', fields.DecimalField(null=True, max_digits=19, decimal_places=4)),
                ('currency', fields.CharField(default='', max_length=3)),
                ('mark', fields.CharEnumField(description='STANDARD: standard\nNONSTANDARD: nonstandard\nMATCHED: matched\nCHOSEN: chosen', enum_type=LibraryMark, max_length=16)),
                ('remarks', fields.TextField(default='', unique=False)),
                ('mark_note', fields.CharField(default='', max_length=300)),
                ('superseded', fields.BooleanField(default=False)),
                ('public', fields.BooleanField(default=False)),
                ('catalogue_version', fields.ForeignKeyField('models.CatalogueVersion', source_field='catalogue_version_id', db_constraint=True, to_field='id', related_name='library_rows', on_delete=OnDelete.RESTRICT)),
                ('upload', fields.ForeignKeyField('models.LibraryUpload', source_field='upload_id', null=True, db_constraint=True, to_field='id', related_name='rows', on_delete=OnDelete.SET_NULL)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'library_row', 'app': 'models', 'unique_together': (('entry_number', 'item_number', 'source'),), 'indexes': [Index(fields=['declarant_enterprise_id', 'mark', 'declared_on'], name='library_row_declarant_mark'), Index(fields=['declarant_enterprise_id', 'hs_code'], name='library_row_declarant_hs'), Index(fields=['declarant_enterprise_id', 'declared_on', 'id'], name='library_row_declarant_date'), Index(fields=['consignee_enterprise_id', 'mark', 'declared_on'], name='library_row_consignee_mark'), Index(fields=['consignee_enterprise_id', 'hs_code'], name='library_row_consignee_hs'), Index(fields=['consignee_enterprise_id', 'declared_on', 'id'], name='library_row_consignee_date'), Index(fields=['declarant_code'], name='library_row_declarant_code'), Index(fields=['consignee_code'], name='library_row_consignee_code'), Index(fields=['hs_code', 'public', 'mark'], name='library_row_public_hs'), Index(fields=['upload_id'], name='library_row_upload')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.RunPython(create_keywords, drop_keywords),
    ]
