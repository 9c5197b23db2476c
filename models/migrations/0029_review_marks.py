"""Issue 15 review (审单): the marks of the visual review, a status and an action for 二复核, and the enterprise's
二复核 switch."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from models.declaration_lifecycle import DeclarationAction, DeclarationStatus
from models.declarations import MarkState


class Migration(migrations.Migration):
    dependencies = [('models', '0028_declaration_sync')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DeclarationMark',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('declaration', fields.ForeignKeyField('models.Declaration', source_field='declaration_id', db_constraint=True, to_field='id', related_name='marks', on_delete=OnDelete.CASCADE)),
                ('declaration_version', fields.IntField()),
                ('path', fields.CharField(max_length=64)),
                ('seq', fields.IntField()),
                ('mark', fields.CharEnumField(description='RIGHT: right\nWRONG: wrong\nNONE: none', enum_type=MarkState, max_length=8)),
                ('comment', fields.TextField(default='', unique=False)),
                ('value', fields.TextField(default='', unique=False)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='declaration_marks', on_delete=OnDelete.RESTRICT)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'declaration_mark', 'app': 'models', 'unique_together': (('declaration_id', 'path', 'seq'),), 'indexes': [Index(fields=['at'])], 'pk_attr': 'id', 'table_description': "One mark of the visual review (MODULES.md §4): the latest per (declaration, path) is the field's state, all"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='CompanySettings',
            name='second_review',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AlterField(
            model_name='Declaration',
            name='status',
            field=fields.CharEnumField(default=DeclarationStatus.DRAFT, description='DRAFT: draft\nPENDING_REVIEW: pending_review\nSECOND_REVIEW: second_review\nRETURNED: returned\nAPPROVED: approved\nDECLARED: declared\nENTERED: entered\nRELEASED: released\nCLEARED: cleared\nDELETED: deleted\nCUSTOMS_DELETED: customs_deleted\nREJECTED: rejected', enum_type=DeclarationStatus, max_length=24),
        ),
        ops.AlterField(
            model_name='DeclarationEvent',
            name='action',
            field=fields.CharEnumField(description='CREATE: create\nEDIT: edit\nSUBMIT: submit\nWITHDRAW: withdraw\nDELETE: delete\nAPPROVE: approve\nPASS_FIRST: pass_first\nRETURN: return\nDECLARE: declare\nRECEIPT_ENTERED: receipt_entered\nRECEIPT_INSPECTED: receipt_inspected\nRECEIPT_RELEASED: receipt_released\nRECEIPT_CLEARED: receipt_cleared\nRECEIPT_DELETED: receipt_deleted\nRECEIPT_REJECTED: receipt_rejected', enum_type=DeclarationAction, max_length=24),
        ),
        ops.AlterField(
            model_name='DeclarationEvent',
            name='from_status',
            field=fields.CharEnumField(null=True, description='DRAFT: draft\nPENDING_REVIEW: pending_review\nSECOND_REVIEW: second_review\nRETURNED: returned\nAPPROVED: approved\nDECLARED: declared\nENTERED: entered\nRELEASED: released\nCLEARED: cleared\nDELETED: deleted\nCUSTOMS_DELETED: customs_deleted\nREJECTED: rejected', enum_type=DeclarationStatus, max_length=24),
        ),
        ops.AlterField(
            model_name='DeclarationEvent',
            name='to_status',
            field=fields.CharEnumField(description='DRAFT: draft\nPENDING_REVIEW: pending_review\nSECOND_REVIEW: second_review\nRETURNED: returned\nAPPROVED: approved\nDECLARED: declared\nENTERED: entered\nRELEASED: released\nCLEARED: cleared\nDELETED: deleted\nCUSTOMS_DELETED: customs_deleted\nREJECTED: rejected', enum_type=DeclarationStatus, max_length=24),
        ),
    ]
