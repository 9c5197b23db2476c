"""The enterprise workspace: the permission tree, roles per enterprise and grants with a validity period."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.enterprises import MemberRole
from models.workspace import DataScope, NodeKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0014_partial_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PermissionNode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=50)),
                ('kind', fields.CharEnumField(description='MENU: menu\nPAGE: page\nACTION: action', enum_type=NodeKind, max_length=8)),
                ('parent_code', fields.CharField(null=True, max_length=64)),
                ('path', fields.CharField(null=True, max_length=200)),
                ('sort', fields.IntField(default=0)),
            ],
            options={'table': 'permission_node', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WorkspaceRole',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='workspace_roles', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=30)),
                ('codes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('data_scope', fields.CharEnumField(default=DataScope.SELF, description='ALL: all\nDEPARTMENT: department\nSELF: self', enum_type=DataScope, max_length=16)),
                ('builtin', fields.CharEnumField(null=True, description='ADMIN: admin\nEXECUTIVE: executive\nSTAFF: staff', enum_type=MemberRole, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'workspace_role', 'app': 'models', 'unique_together': (('enterprise', 'name'), ('enterprise', 'builtin')), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoleGrant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='role_grants', on_delete=OnDelete.CASCADE)),
                ('role', fields.ForeignKeyField('models.WorkspaceRole', source_field='role_id', db_constraint=True, to_field='id', related_name='grants', on_delete=OnDelete.CASCADE)),
                ('valid_from', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('valid_to', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('granted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'role_grant', 'app': 'models', 'indexes': [Index(fields=['person_id', 'role_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
