from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from models.registrations import RegistrationChannel, RegistrationStatus


class Migration(migrations.Migration):
    dependencies = [('models', '0003_queue_indexes')]

    initial = False

    operations: list = [
        ops.CreateModel(
            name='Registration',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='registrations', on_delete=OnDelete.CASCADE)),
                ('applicant', fields.ForeignKeyField('models.Person', source_field='applicant_id', db_constraint=True, to_field='id', related_name='registrations', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharEnumField(description='CARD: card\nFORM: form\nWECHAT: wechat', enum_type=RegistrationChannel, max_length=16)),
                ('status', fields.CharEnumField(default=RegistrationStatus.PENDING, description='PENDING: pending\nAPPROVED: approved\nREJECTED: rejected', enum_type=RegistrationStatus, max_length=16)),
                ('enterprise_name', fields.CharField(max_length=200)),
                ('credit_code', fields.CharField(db_index=True, max_length=18)),
                ('legal_person', fields.CharField(default='', max_length=50)),
                ('address', fields.CharField(default='', max_length=200)),
                ('applicant_name', fields.CharField(max_length=50)),
                ('applicant_phone', fields.CharField(max_length=11)),
                ('licence_key', fields.CharField(null=True, unique=True, max_length=255)),
                ('licence_content_type', fields.CharField(default='', max_length=64)),
                ('licence_filename', fields.CharField(default='', max_length=255)),
                ('licence_size', fields.IntField(default=0)),
                ('reviewer', fields.ForeignKeyField('models.CustomsAccount', source_field='reviewer_id', null=True, db_constraint=True, to_field='id', related_name='reviewed_registrations', on_delete=OnDelete.SET_NULL)),
                ('reason', fields.TextField(default='')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'registration', 'app': 'models', 'indexes': [Index(fields=['status', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
