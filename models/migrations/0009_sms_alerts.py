from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0008_settings')]

    initial = False

    operations: list = [
        ops.CreateModel(
            name='SmsAlert',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=160)),
                ('code', fields.CharField(max_length=64)),
                ('template', fields.CharField(max_length=48)),
                ('message', fields.CharField(max_length=255)),
                ('count', fields.IntField(default=1)),
                ('first_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'sms_alert', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
