"""个人中心: a person's profile (gender, avatar, 报关员章) and the 表单设置 of people and enterprises."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.personal import Gender
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0018_departments')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CompanyFormDefaults',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.OneToOneField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='form_defaults', on_delete=OnDelete.CASCADE)),
                ('values', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'company_form_defaults', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PersonFormPreferences',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='form_preferences', on_delete=OnDelete.CASCADE)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='person_form_preferences', on_delete=OnDelete.CASCADE)),
                ('values', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'person_form_preferences', 'app': 'models', 'unique_together': (('person', 'enterprise'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PersonalProfile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.OneToOneField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='profile', on_delete=OnDelete.CASCADE)),
                ('gender', fields.CharEnumField(default=Gender.UNSET, description='UNSET: unset\nMALE: male\nFEMALE: female', enum_type=Gender, max_length=8)),
                ('avatar', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('stamp', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'personal_profile', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
