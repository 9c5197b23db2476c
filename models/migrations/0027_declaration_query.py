"""Issue 15, 业务数据查询: the import record (one per enterprise and file hash) and the query's indexes — newest
change first for the whole enterprise, one owner (仅本人) or one status, and the exact 海关编号 / 境内收发货人
filters (bench/declaration_query.py at 1,000,000 declarations)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from models.declarations import ImportStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0026_declaration_exceptions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DeclarationImport',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='declaration_imports', on_delete=OnDelete.RESTRICT)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='declaration_imports', on_delete=OnDelete.RESTRICT)),
                ('file_hash', fields.CharField(max_length=64)),
                ('filename', fields.CharField(max_length=255)),
                ('stored_path', fields.CharField(max_length=500)),
                ('status', fields.CharEnumField(default=ImportStatus.QUEUED, description='QUEUED: queued\nRUNNING: running\nDONE: done\nFAILED: failed', enum_type=ImportStatus, max_length=16)),
                ('job', fields.ForeignKeyField('models.Job', source_field='job_id', null=True, db_constraint=True, to_field='id', related_name='declaration_imports', on_delete=OnDelete.SET_NULL)),
                ('rows_total', fields.IntField(default=0)),
                ('rows_rejected', fields.IntField(default=0)),
                ('declarations_created', fields.IntField(default=0)),
                ('declarations_rejected', fields.IntField(default=0)),
                ('errors', fields.IntField(default=0)),
                ('error_path', fields.CharField(default='', max_length=500)),
                ('error', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'declaration_import', 'app': 'models', 'unique_together': (('enterprise_id', 'file_hash'),), 'indexes': [Index(fields=['enterprise_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One uploaded import workbook (业务数据查询 → 导入): who, which file (its SHA-256: the same file is imported'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='Declaration',
            index=Index(fields=['enterprise_id', 'updated_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Declaration',
            index=Index(fields=['enterprise_id', 'owner_id', 'updated_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Declaration',
            index=Index(fields=['enterprise_id', 'status', 'updated_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Declaration',
            index=Index(fields=['enterprise_id', 'entry_id']),
        ),
        ops.AddIndex(
            model_name='Declaration',
            index=Index(fields=['enterprise_id', 'trade_code']),
        ),
    ]
