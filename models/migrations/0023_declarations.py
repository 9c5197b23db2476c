"""Issue 15, declarations: head (typed columns + JSON), goods items, containers, attached documents, timeline."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from models.declaration_lifecycle import DeclarationAction, DeclarationStatus
from models.declarations import DeclarationKind
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0022_library_public')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Declaration',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='declarations', on_delete=OnDelete.RESTRICT)),
                ('owner', fields.ForeignKeyField('models.Person', source_field='owner_id', db_constraint=True, to_field='id', related_name='declarations', on_delete=OnDelete.RESTRICT)),
                ('department', fields.ForeignKeyField('models.Department', source_field='department_id', null=True, db_constraint=True, to_field='id', related_name='declarations', on_delete=OnDelete.SET_NULL)),
                ('kind', fields.CharEnumField(description='EXPORT: export\nEXPORT_RECORD: export_record\nEXPORT_TRANSIT: export_transit\nEXPORT_TRANSIT_RECORD: export_transit_record', enum_type=DeclarationKind, max_length=24)),
                ('status', fields.CharEnumField(default=DeclarationStatus.DRAFT, description='DRAFT: draft\nPENDING_REVIEW: pending_review\nRETURNED: returned\nAPPROVED: approved\nDECLARED: declared\nENTERED: entered\nRELEASED: released\nCLEARED: cleared\nDELETED: deleted\nCUSTOMS_DELETED: customs_deleted\nREJECTED: rejected', enum_type=DeclarationStatus, max_length=24)),
                ('number', fields.CharField(default='', max_length=20)),
                ('seq_no', fields.CharField(default='', max_length=18)),
                ('entry_id', fields.CharField(default='', max_length=18)),
                ('declare_office', fields.CharField(default='', max_length=4)),
                ('ie_port', fields.CharField(default='', max_length=4)),
                ('trade_mode', fields.CharField(default='', max_length=4)),
                ('bill_no', fields.CharField(default='', max_length=50)),
                ('trade_code', fields.CharField(default='', max_length=18)),
                ('trade_name', fields.CharField(default='', max_length=255)),
                ('head', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'declaration', 'app': 'models', 'indexes': [Index(fields=['enterprise_id', 'status', 'id']), Index(fields=['enterprise_id', 'owner_id', 'id']), Index(fields=['enterprise_id', 'bill_no']), Index(fields=['seq_no'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeclarationContainer',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('declaration', fields.ForeignKeyField('models.Declaration', source_field='declaration_id', db_constraint=True, to_field='id', related_name='containers', on_delete=OnDelete.CASCADE)),
                ('position', fields.SmallIntField()),
                ('container_no', fields.CharField(default='', max_length=11)),
                ('spec', fields.CharField(default='', max_length=2)),
                ('weight', fields.DecimalField(null=True, max_digits=19, decimal_places=5)),
                ('goods_numbers', fields.CharField(default='', max_length=100)),
            ],
            options={'table': 'declaration_container', 'app': 'models', 'unique_together': (('declaration_id', 'position'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeclarationDocument',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('declaration', fields.ForeignKeyField('models.Declaration', source_field='declaration_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('position', fields.SmallIntField()),
                ('code', fields.CharField(default='', max_length=4)),
                ('number', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'declaration_document', 'app': 'models', 'unique_together': (('declaration_id', 'position'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeclarationEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('declaration', fields.ForeignKeyField('models.Declaration', source_field='declaration_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('action', fields.CharEnumField(description='CREATE: create\nEDIT: edit\nSUBMIT: submit\nWITHDRAW: withdraw\nDELETE: delete\nAPPROVE: approve\nRETURN: return\nDECLARE: declare\nRECEIPT_ENTERED: receipt_entered\nRECEIPT_RELEASED: receipt_released\nRECEIPT_CLEARED: receipt_cleared\nRECEIPT_DELETED: receipt_deleted\nRECEIPT_REJECTED: receipt_rejected', enum_type=DeclarationAction, max_length=24)),
                ('from_status', fields.CharEnumField(null=True, description='DRAFT: draft\nPENDING_REVIEW: pending_review\nRETURNED: returned\nAPPROVED: approved\nDECLARED: declared\nENTERED: entered\nRELEASED: released\nCLEARED: cleared\nDELETED: deleted\nCUSTOMS_DELETED: customs_deleted\nREJECTED: rejected', enum_type=DeclarationStatus, max_length=24)),
                ('to_status', fields.CharEnumField(description='DRAFT: draft\nPENDING_REVIEW: pending_review\nRETURNED: returned\nAPPROVED: approved\nDECLARED: declared\nENTERED: entered\nRELEASED: released\nCLEARED: cleared\nDELETED: deleted\nCUSTOMS_DELETED: customs_deleted\nREJECTED: rejected', enum_type=DeclarationStatus, max_length=24)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', null=True, db_constraint=True, to_field='id', related_name='declaration_events', on_delete=OnDelete.SET_NULL)),
                ('note', fields.TextField(default='', unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'declaration_event', 'app': 'models', 'indexes': [Index(fields=['declaration_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One change of the declaration: who (None: the system), what, from which status to which, why.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeclarationItem',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('declaration', fields.ForeignKeyField('models.Declaration', source_field='declaration_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('position', fields.SmallIntField()),
                ('hs_code', fields.CharField(default='', max_length=10)),
                ('goods_name', fields.CharField(default='', max_length=255)),
                ('model_spec', fields.TextField(default='', unique=False)),
                ('elements', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('quantity', fields.DecimalField(null=True, max_digits=19, decimal_places=5)),
                ('unit', fields.CharField(default='', max_length=3)),
                ('legal_quantity', fields.DecimalField(null=True, max_digits=19, decimal_places=5)),
                ('legal_unit', fields.CharField(default='', max_length=3)),
                ('second_quantity', fields.DecimalField(null=True, max_digits=19, decimal_places=5)),
                ('second_unit', fields.CharField(default='', max_length=3)),
                ('price', fields.DecimalField(null=True, max_digits=19, decimal_places=4)),
                ('total', fields.DecimalField(null=True, max_digits=19, decimal_places=4)),
                ('currency', fields.CharField(default='', max_length=3)),
                ('origin_country', fields.CharField(default='', max_length=3)),
                ('destination_country', fields.CharField(default='', max_length=3)),
                ('district_code', fields.CharField(default='', max_length=5)),
                ('duty_mode', fields.CharField(default='', max_length=1)),
            ],
            options={'table': 'declaration_item', 'app': 'models', 'unique_together': (('declaration_id', 'position'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
