"""Issue 15, single-window sync: bonded lists (核注清单) head + items, receipts by their unique key, sync runs,
sends (申报) by idempotency key; one declaration per (enterprise, 统一编号) once it has one."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from models.declaration_lifecycle import DeclarationAction
from models.declaration_sync import SyncKind, SyncStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0027_declaration_query')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BondedList',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='bonded_lists', on_delete=OnDelete.CASCADE)),
                ('seq_no', fields.CharField(max_length=18)),
                ('list_no', fields.CharField(default='', max_length=18)),
                ('enterprise_role', fields.CharField(default='', max_length=16)),
                ('data_source', fields.CharField(default='', max_length=16)),
                ('ie_flag', fields.CharField(default='', max_length=1)),
                ('data_status', fields.CharField(default='', max_length=4)),
                ('pre_approval', fields.CharField(default='', max_length=4)),
                ('manual_no', fields.CharField(default='', max_length=12)),
                ('trade_code', fields.CharField(default='', max_length=18)),
                ('trade_name', fields.CharField(default='', max_length=255)),
                ('customs_office', fields.CharField(default='', max_length=4)),
                ('trade_mode', fields.CharField(default='', max_length=4)),
                ('entry_id', fields.CharField(default='', max_length=18)),
                ('head', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('remote_updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('synced_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('declaration', fields.ForeignKeyField('models.Declaration', source_field='declaration_id', null=True, db_constraint=True, to_field='id', related_name='bonded_lists', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'bonded_list', 'app': 'models', 'unique_together': (('enterprise_id', 'seq_no'),), 'indexes': [Index(fields=['enterprise_id', 'remote_updated_at']), Index(fields=['enterprise_id', 'list_no'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BondedListItem',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('bonded_list', fields.ForeignKeyField('models.BondedList', source_field='bonded_list_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('position', fields.SmallIntField()),
                ('record_no', fields.IntField(null=True)),
                ('part_no', fields.CharField(default='', max_length=32)),
                ('hs_code', fields.CharField(default='', max_length=10)),
                ('goods_name', fields.CharField(default='', max_length=255)),
                ('model_spec', fields.TextField(default='', unique=False)),
                ('quantity', fields.DecimalField(null=True, max_digits=19, decimal_places=5)),
                ('unit', fields.CharField(default='', max_length=3)),
                ('legal_quantity', fields.DecimalField(null=True, max_digits=19, decimal_places=5)),
                ('legal_unit', fields.CharField(default='', max_length=3)),
                ('price', fields.DecimalField(null=True, max_digits=19, decimal_places=4)),
                ('total', fields.DecimalField(null=True, max_digits=19, decimal_places=4)),
                ('currency', fields.CharField(default='', max_length=3)),
                ('origin_country', fields.CharField(default='', max_length=3)),
                ('destination_country', fields.CharField(default='', max_length=3)),
                ('duty_mode', fields.CharField(default='', max_length=1)),
            ],
            options={'table': 'bonded_list_item', 'app': 'models', 'unique_together': (('bonded_list_id', 'position'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeclarationReceipt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='declaration_receipts', on_delete=OnDelete.CASCADE)),
                ('seq_no', fields.CharField(max_length=18)),
                ('receipt_type', fields.CharField(max_length=16)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('declaration', fields.ForeignKeyField('models.Declaration', source_field='declaration_id', null=True, db_constraint=True, to_field='id', related_name='receipts', on_delete=OnDelete.SET_NULL)),
                ('entry_id', fields.CharField(default='', max_length=18)),
                ('note', fields.CharField(default='', max_length=500)),
                ('applied', fields.BooleanField(default=False)),
                ('problem', fields.CharField(default='', max_length=200)),
                ('stored_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'declaration_receipt', 'app': 'models', 'unique_together': (('enterprise_id', 'seq_no', 'receipt_type', 'received_at'),), 'indexes': [Index(fields=['enterprise_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeclarationSend',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('declaration', fields.ForeignKeyField('models.Declaration', source_field='declaration_id', db_constraint=True, to_field='id', related_name='sends', on_delete=OnDelete.CASCADE)),
                ('version', fields.IntField()),
                ('key', fields.CharField(unique=True, max_length=64)),
                ('seq_no', fields.CharField(default='', max_length=18)),
                ('error', fields.CharField(default='', max_length=500)),
                ('attempts', fields.IntField(default=0)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', null=True, db_constraint=True, to_field='id', related_name='declaration_sends', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'declaration_send', 'app': 'models', 'unique_together': (('declaration_id', 'version'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SyncRun',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='sync_runs', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', null=True, db_constraint=True, to_field='id', related_name='sync_runs', on_delete=OnDelete.SET_NULL)),
                ('kind', fields.CharEnumField(description='DECLARATIONS_BY_TICKET: declarations_by_ticket\nDECLARATIONS_BY_DAY: declarations_by_day\nBONDED_BY_TICKET: bonded_by_ticket\nBONDED_BY_DAY: bonded_by_day\nRECEIPTS: receipts', enum_type=SyncKind, max_length=24)),
                ('params', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharEnumField(default=SyncStatus.QUEUED, description='QUEUED: queued\nRUNNING: running\nDONE: done\nFAILED: failed', enum_type=SyncStatus, max_length=12)),
                ('done', fields.IntField(default=0)),
                ('total', fields.IntField(default=0)),
                ('created', fields.IntField(default=0)),
                ('updated', fields.IntField(default=0)),
                ('unchanged', fields.IntField(default=0)),
                ('error', fields.CharField(default='', max_length=500)),
                ('job_token', fields.CharField(default='', max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'sync_run', 'app': 'models', 'indexes': [Index(fields=['enterprise_id', 'id']), Index(fields=['enterprise_id', 'kind', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='DeclarationEvent',
            name='action',
            field=fields.CharEnumField(description='CREATE: create\nEDIT: edit\nSUBMIT: submit\nWITHDRAW: withdraw\nDELETE: delete\nAPPROVE: approve\nRETURN: return\nDECLARE: declare\nRECEIPT_ENTERED: receipt_entered\nRECEIPT_INSPECTED: receipt_inspected\nRECEIPT_RELEASED: receipt_released\nRECEIPT_CLEARED: receipt_cleared\nRECEIPT_DELETED: receipt_deleted\nRECEIPT_REJECTED: receipt_rejected', enum_type=DeclarationAction, max_length=24),
        ),
        ops.RunSQL("CREATE UNIQUE INDEX uniq_declaration_seq_no ON declaration (enterprise_id, seq_no) "
                   "WHERE length(seq_no) > 0", "DROP INDEX uniq_declaration_seq_no"),
    ]
