"""Departments (a tree with a materialized path) and their members, join requests, and the department a
question was asked from (the 本部门及下级 data scope)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from models.joins import JoinStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

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
    ]
