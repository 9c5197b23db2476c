"""The message centre: one row per in-app message, with partial indexes for the unread and starred counts."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from tortoise.indexes import Index

from models.messages import Category, Severity, WhereIndex

# Written out (not the model's MESSAGE_INDEXES): a migration stays what it was when the model changes.
INDEXES = [
    Index(fields=["person_id", "enterprise_id", "category", "id"], name="message_list"),
    WhereIndex(fields=["person_id", "enterprise_id", "category", "id"], where="read_at IS NULL",
               name="message_unread"),
    WhereIndex(fields=["person_id", "enterprise_id", "category", "id"], where="starred", name="message_starred"),
]


class Migration(migrations.Migration):
    dependencies = [('models', '0016_company_settings')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Message',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('category', fields.CharEnumField(description='NOTICE: notice\nWARNING: warning', enum_type=Category, max_length=8)),
                ('severity', fields.CharEnumField(default=Severity.INFO, description='INFO: info\nIMPORTANT: important', enum_type=Severity, max_length=16)),
                ('title', fields.CharField(max_length=100)),
                ('body', fields.TextField(default='', unique=False)),
                ('link', fields.CharField(default='', max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('starred', fields.BooleanField(default=False)),
                ('escalated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'message', 'app': 'models', 'indexes': INDEXES, 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
