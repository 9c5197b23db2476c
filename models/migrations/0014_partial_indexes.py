"""The automatic close at 100,000 due rows: closing a question writes fewer index entries.

A close changes ``status``, so PostgreSQL cannot update the row in place (HOT) and adds an entry to every index
of the question. The (status, replied_at), (status, evaluated_at), (published, published_at) and
(office_id, status) indexes become partial: the due replied questions by ``replied_at``, the due awaiting-append
ones by ``evaluated_at`` (the lifecycle's ``AUTO_CLOSE_SINCE``), the published ones by (published_at, id), the
submitted ones by office (the admin header's badge). A closed, unpublished question has no entry in any of
them, and they are smaller for the sweep's, the public list's and the badge's reads.
"""

from tortoise import migrations
from tortoise.indexes import PartialIndex
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0013_enterprise_list_index')]

    initial = False

    operations = [
        ops.RemoveIndex(model_name='Question', fields=['status', 'replied_at']),
        ops.RemoveIndex(model_name='Question', fields=['status', 'evaluated_at']),
        ops.RemoveIndex(model_name='Question', fields=['published', 'published_at']),
        ops.RemoveIndex(model_name='Question', fields=['office_id', 'status']),
        ops.AddIndex(model_name='Question',
                     index=PartialIndex(fields=['replied_at'], condition={'status': 'replied'})),
        ops.AddIndex(model_name='Question',
                     index=PartialIndex(fields=['evaluated_at'], condition={'status': 'awaiting_append'})),
        ops.AddIndex(model_name='Question',
                     index=PartialIndex(fields=['published_at', 'id'], condition={'published': True})),
        ops.AddIndex(model_name='Question',
                     index=PartialIndex(fields=['office_id'], condition={'status': 'submitted'})),
    ]
