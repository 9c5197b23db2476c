from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0010_jobs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WechatAccessToken',
            fields=[
                ('app_id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('token', fields.TextField(default='', unique=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('refreshing_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'wechat_access_token', 'app': 'models', 'pk_attr': 'app_id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WechatPushClaim',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=160)),
                ('claimed_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'wechat_push_claim', 'app': 'models', 'pk_attr': 'key'},
            bases=['Model'],
        ),
    ]
