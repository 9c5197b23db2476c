"""Issue 14: the catalogue changes between versions (the re-check of stored rows), the change each row's HS code
went through, and the library notices written to enterprises once (monthly summary, catalogue change)."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0023_declarations')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CatalogueVersion',
            name='rechecked_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='LibraryRow',
            name='catalogue_change',
            field=fields.CharField(default='', db_default='', max_length=40),
        ),
        ops.CreateModel(
            name='CatalogueChange',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('from_version', fields.ForeignKeyField('models.CatalogueVersion', source_field='from_version_id', db_constraint=True, to_field='id', related_name='changes_from', on_delete=OnDelete.CASCADE)),
                ('to_version', fields.ForeignKeyField('models.CatalogueVersion', source_field='to_version_id', db_constraint=True, to_field='id', related_name='changes_to', on_delete=OnDelete.CASCADE)),
                ('hs_code', fields.CharField(max_length=10)),
                ('kinds', fields.CharField(max_length=40)),
                ('gained', fields.JSONField(default=list)),
                ('lost', fields.JSONField(default=list)),
            ],
            options={'table': 'catalogue_change', 'app': 'models', 'unique_together': (('from_version_id', 'to_version_id', 'hs_code'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LibraryNotice',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='library_notices', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=32)),
                ('figures', fields.JSONField(default=dict)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'library_notice', 'app': 'models', 'unique_together': (('enterprise_id', 'key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
