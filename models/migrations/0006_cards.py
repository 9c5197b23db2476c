from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from models.cards import CardType


class Migration(migrations.Migration):
    dependencies = [('models', '0005_central_identity')]

    initial = False

    operations: list = [
        ops.CreateModel(
            name='CardBinding',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='card_bindings', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='card_bindings', on_delete=OnDelete.CASCADE)),
                ('fingerprint', fields.CharField(unique=True, max_length=64)),
                ('card_no', fields.CharField(max_length=64)),
                ('holder_name', fields.CharField(max_length=50)),
                ('card_type', fields.CharEnumField(description='LEGAL_PERSON: legal_person\nOPERATOR: operator', enum_type=CardType, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'card_binding', 'app': 'models', 'indexes': [Index(fields=['person_id', 'enterprise_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ModuleAuthorisation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='module_authorisations', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='module_authorisations', on_delete=OnDelete.CASCADE)),
                ('module', fields.CharField(max_length=32)),
                ('legal_person_name', fields.CharField(max_length=50)),
                ('card_no', fields.CharField(max_length=64)),
                ('card_fingerprint', fields.CharField(max_length=64)),
                ('granted_by', fields.ForeignKeyField('models.Person', source_field='granted_by_id', db_constraint=True, to_field='id', related_name='authorisations_granted', on_delete=OnDelete.RESTRICT)),
                ('granted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_by', fields.ForeignKeyField('models.Person', source_field='revoked_by_id', null=True, db_constraint=True, to_field='id', related_name='authorisations_revoked', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'module_authorisation', 'app': 'models', 'indexes': [Index(fields=['enterprise_id', 'module', 'person_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
