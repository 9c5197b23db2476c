from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0007_customs_desk')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CustomsAccount',
            name='sessions_valid_after',
            field=fields.DatetimeField(null=True),
        ),
    ]
