"""Issue 15 item 4, 异常状态登记: declaration and bonded-list exceptions (the receipt key unique), and the
查验 receipt action of the declaration timeline."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from models.declaration_exceptions import ExceptionKind, ExceptionStatus, ExceptionType
from models.declaration_lifecycle import DeclarationAction
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0025_declaration_kinds')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DeclarationException',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='declaration_exceptions', on_delete=OnDelete.RESTRICT)),
                ('owner', fields.ForeignKeyField('models.Person', source_field='owner_id', db_constraint=True, to_field='id', related_name='owned_declaration_exceptions', on_delete=OnDelete.RESTRICT)),
                ('department', fields.ForeignKeyField('models.Department', source_field='department_id', null=True, db_constraint=True, to_field='id', related_name='declaration_exceptions', on_delete=OnDelete.SET_NULL)),
                ('created_by', fields.ForeignKeyField('models.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='registered_declaration_exceptions', on_delete=OnDelete.SET_NULL)),
                ('declaration', fields.ForeignKeyField('models.Declaration', source_field='declaration_id', null=True, db_constraint=True, to_field='id', related_name='exceptions', on_delete=OnDelete.SET_NULL)),
                ('kind', fields.CharEnumField(description='DECLARATION: declaration\nBONDED_LIST: bonded_list', enum_type=ExceptionKind, max_length=16)),
                ('number', fields.CharField(max_length=20)),
                ('trade_name', fields.CharField(default='', max_length=100)),
                ('ie_flag', fields.CharField(default='', max_length=1)),
                ('client_name', fields.CharField(default='', max_length=100)),
                ('exception_type', fields.CharEnumField(description='MODIFY_DELETE: modify_delete\nINSPECTION: inspection\nREJECTION: rejection\nOTHER: other', enum_type=ExceptionType, max_length=16)),
                ('occurred_on', fields.DateField()),
                ('post', fields.CharField(default='', max_length=30)),
                ('responsible', fields.CharField(default='', max_length=30)),
                ('penalized', fields.BooleanField(default=False)),
                ('penalty_target', fields.CharField(default='', max_length=100)),
                ('status', fields.CharEnumField(default=ExceptionStatus.PENDING, description='PENDING: pending\nHANDLING: handling\nDONE: done', enum_type=ExceptionStatus, max_length=16)),
                ('done_on', fields.DateField(null=True)),
                ('reason', fields.TextField(default='', unique=False)),
                ('attachment_key', fields.CharField(default='', max_length=255)),
                ('attachment_name', fields.CharField(default='', max_length=255)),
                ('attachment_type', fields.CharField(default='', max_length=64)),
                ('attachment_size', fields.IntField(default=0)),
                ('receipt_action', fields.CharField(null=True, max_length=24)),
                ('receipt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'declaration_exception', 'app': 'models', 'unique_together': (('declaration_id', 'receipt_action', 'receipt_at'),), 'indexes': [Index(fields=['enterprise_id', 'kind', 'id']), Index(fields=['enterprise_id', 'kind', 'occurred_on']), Index(fields=['enterprise_id', 'owner_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='DeclarationEvent',
            name='action',
            field=fields.CharEnumField(description='CREATE: create\nEDIT: edit\nSUBMIT: submit\nWITHDRAW: withdraw\nDELETE: delete\nAPPROVE: approve\nRETURN: return\nDECLARE: declare\nRECEIPT_ENTERED: receipt_entered\nRECEIPT_RELEASED: receipt_released\nRECEIPT_CLEARED: receipt_cleared\nRECEIPT_DELETED: receipt_deleted\nRECEIPT_REJECTED: receipt_rejected\nRECEIPT_INSPECTED: receipt_inspected', enum_type=DeclarationAction, max_length=24),
        ),
    ]
