"""An enterprise's settings in the workspace: company and invoice information, images, switches, 企业风采."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0015_workspace')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CompanySettings',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.OneToOneField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='company_settings', on_delete=OnDelete.CASCADE)),
                ('address', fields.CharField(default='', max_length=200)),
                ('contact', fields.CharField(default='', max_length=50)),
                ('phone', fields.CharField(default='', max_length=30)),
                ('email', fields.CharField(default='', max_length=100)),
                ('invoice_name', fields.CharField(default='', max_length=200)),
                ('invoice_tax_id', fields.CharField(default='', max_length=20)),
                ('invoice_address_phone', fields.CharField(default='', max_length=200)),
                ('invoice_bank_account', fields.CharField(default='', max_length=200)),
                ('logo', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('seal', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('declaration_kinds', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('aircraft_auto', fields.BooleanField(default=False)),
                ('aircraft_time', fields.CharField(null=True, max_length=5)),
                ('carousel', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('links', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'company_settings', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
