from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_outbox_wechat_msgid')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Question',
            index=Index(fields=['office_id', 'submitted_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Question',
            index=Index(fields=['status', 'submitted_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Question',
            index=Index(fields=['submitted_at', 'id']),
        ),
    ]
