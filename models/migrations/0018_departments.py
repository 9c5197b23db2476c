"""Departments (a tree with a materialized path) and their members, join requests, and the department a
question was asked from (the 本部门及下级 data scope).

The new page code ``question:view`` (问题清单) is one of the executive's and staff's built-in codes
(data/permissions.yaml); built-in roles an enterprise already stored get it here, as a new enterprise's would.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from models.joins import JoinStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

BUILTIN_WITH_QUESTIONS = "builtin IN ('executive', 'staff')"


async def grant_question_list(apps, schema_editor) -> None:  # noqa: ANN001 - tortoise's RunPython signature
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(
            "UPDATE workspace_role SET codes = codes || '[\"question:view\"]'::jsonb "
            f"WHERE {BUILTIN_WITH_QUESTIONS} AND NOT codes @> '[\"question:view\"]'::jsonb")
        return
    await client.execute_script(
        "UPDATE workspace_role SET codes = json_insert(codes, '$[#]', 'question:view') "
        f"WHERE {BUILTIN_WITH_QUESTIONS} "
        "AND NOT EXISTS (SELECT 1 FROM json_each(workspace_role.codes) WHERE value = 'question:view')")


class Migration(migrations.Migration):
    dependencies = [('models', '0017_messages')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Department',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='departments', on_delete=OnDelete.CASCADE)),
                ('parent', fields.ForeignKeyField('models.Department', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=30)),
                ('path', fields.CharField(default='', max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'department', 'app': 'models', 'unique_together': (('enterprise', 'parent', 'name'),), 'indexes': [Index(fields=['enterprise_id', 'path'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DepartmentMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('department', fields.ForeignKeyField('models.Department', source_field='department_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.RESTRICT)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='departments', on_delete=OnDelete.CASCADE)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='department_members', on_delete=OnDelete.CASCADE)),
                ('primary', fields.BooleanField(default=False)),
            ],
            options={'table': 'department_member', 'app': 'models', 'unique_together': (('department', 'person'),), 'indexes': [Index(fields=['person_id', 'enterprise_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JoinRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='join_requests', on_delete=OnDelete.CASCADE)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='join_requests', on_delete=OnDelete.CASCADE)),
                ('asked_from', fields.ForeignKeyField('models.Enterprise', source_field='asked_from_id', db_constraint=True, to_field='id', related_name='join_requests_sent', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=JoinStatus.PENDING, description='PENDING: pending\nAPPROVED: approved\nREFUSED: refused', enum_type=JoinStatus, max_length=16)),
                ('pending_key', fields.CharField(null=True, unique=True, max_length=40)),
                ('reason', fields.CharField(default='', max_length=200)),
                ('role_name', fields.CharField(default='', max_length=30)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('models.Person', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='join_requests_decided', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'join_request', 'app': 'models', 'indexes': [Index(fields=['enterprise_id', 'status', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Question',
            name='department',
            field=fields.ForeignKeyField('models.Department', source_field='department_id', null=True, db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddIndex(
            model_name='Question',
            index=Index(fields=['enterprise_id', 'department_id', 'id']),
        ),
        ops.RunPython(grant_question_list, ops.RunPython.noop),
    ]
