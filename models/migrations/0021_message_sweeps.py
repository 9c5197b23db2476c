"""The message centre's sweeps: a grant's expiry reminder and recorded expiry (claimed once each), and the
partial index of the unread 预警 the escalation looks for."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from models.messages import WhereIndex


class Migration(migrations.Migration):
    dependencies = [('models', '0020_library')]

    initial = False

    operations = [
        ops.AddField(model_name='RoleGrant', name='reminded_at',
                     field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
        ops.AddField(model_name='RoleGrant', name='expired_at',
                     field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
        ops.AddIndex(model_name='RoleGrant', index=Index(fields=['valid_to'])),
        ops.AddIndex(model_name='Message', index=WhereIndex(
            fields=['created_at'], where="category = 'warning' AND read_at IS NULL AND escalated_at IS NULL",
            name='message_to_escalate')),
    ]
