"""The question's image: attaching it while the asker may edit, and fetching it within each user's scope.

One image per question and round: attaching another replaces it. ``ImageUpload`` stores the file before the
transaction of the use case (attach, ask, save an edit) and writes its row inside it; a refused or failed
transaction removes the new file again, and the replaced file is removed only after the commit, so a row
never points at a missing file.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from adapters.file_storage import FileStorage
from core.db import connection
from models.errors import Conflict, NotFound
from models.lifecycle import Action, Command, decide
from models.questions import Attachment, Question
from services.kit.access import access_question_for_customs, access_question_for_person
from services.kit.actors import PersonActor
from services.kit.context import ServiceContext
from services.kit.images import CheckedImage
from services.questions.asking import person_ref
from services.questions.state import question_state
from services.questions.transitions import CHANGED_MEANWHILE, ActorRef

log = logging.getLogger("qingling.attachments")

IMAGE_NOT_FOUND = "图片不存在或无权查看"


class ImageUpload:
    """A checked image's file, stored before the transaction that writes its row (``async with``).

    If the transaction fails the new file is removed again; the files it replaced are removed only after the
    commit, so a row never points at a missing file. Without an image it does nothing.
    """

    def __init__(self, storage: FileStorage | None, checked: CheckedImage | None) -> None:
        self.storage, self.checked = storage, checked
        self.key = ""
        self.replaced: list[str] = []
        self.attachment: Attachment | None = None

    async def __aenter__(self) -> ImageUpload:
        if self.storage is not None and self.checked is not None:
            self.key = await self.storage.put(self.checked.data, suffix=self.checked.suffix)
        return self

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if self.storage is None or not self.key:
            return
        # failed, or the use case did not attach it (an executive's edit keeps the image): the new file goes
        for key in [self.key] if kind is not None or self.attachment is None else self.replaced:
            await _remove(self.storage, key)

    async def attach(self, ctx: ServiceContext, conn: BaseDBAsyncClient, question: Question, by: ActorRef) -> None:
        """Make the image the question's current round's one, if the lifecycle lets ``by`` edit it now."""
        if self.checked is None or not self.key:
            return
        decide(await question_state(question, conn), Command(Action.EDIT), by.actor, ctx.policy, ctx.now())
        # The image is part of the question: bump the version so a concurrent submit or edit notices.
        changed = await (Question.filter(id=question.id, version=question.version).using_db(conn)
                         .update(version=F("version") + 1, updated_at=ctx.now()))
        if changed != 1:
            raise Conflict(CHANGED_MEANWHILE)
        question.version += 1
        previous = await Attachment.filter(question_id=question.id, round=question.round).using_db(conn)
        if previous:
            await Attachment.filter(id__in=[a.id for a in previous]).using_db(conn).delete()
        checked = self.checked
        self.attachment = await Attachment.create(
            question_id=question.id, round=question.round, filename=checked.filename,
            content_type=checked.content_type, size=checked.size, sha256=checked.sha256, storage_key=self.key,
            uploaded_by_id=by.person_id, using_db=conn,
        )
        self.replaced = [a.storage_key for a in previous]


async def attach_image(ctx: ServiceContext, actor: PersonActor, question_id: int, checked: CheckedImage,
                       storage: FileStorage) -> Attachment:
    """Attach ``checked`` to the question's current round, replacing that round's image.

    Allowed exactly when the lifecycle lets the actor edit the question (``Action.EDIT``); otherwise the
    lifecycle's refusal is raised. Outside the actor's enterprise the question does not exist (NotFound).
    """
    async with ImageUpload(storage, checked) as upload, in_transaction() as conn:
        question, membership = await access_question_for_person(actor.person_id, question_id, conn, for_update=True)
        await upload.attach(ctx, conn, question, person_ref(membership))
    assert upload.attachment is not None
    return upload.attachment


async def _remove(storage: FileStorage, key: str) -> None:
    try:
        await storage.delete(key)
    except OSError:  # no row points at it: a leftover file costs only disk space
        log.warning("could not remove image file %s", key, exc_info=True)


async def image_for_person(person_id: int, attachment_id: int, storage: FileStorage) -> tuple[Attachment, Path]:
    """An image of a question of the person's enterprise, and where its bytes are; else NotFound."""
    return await _image_in_scope(access_question_for_person, person_id, attachment_id, storage)


async def image_for_customs(account_id: int, attachment_id: int, storage: FileStorage) -> tuple[Attachment, Path]:
    """An image of a question in the account's customs scope (sent to customs), and its path; else NotFound."""
    return await _image_in_scope(access_question_for_customs, account_id, attachment_id, storage)


async def _image_in_scope(access: Callable[[int, int, BaseDBAsyncClient], Awaitable[object]], who: int,
                          attachment_id: int, storage: FileStorage) -> tuple[Attachment, Path]:
    conn = connection()
    attachment, question_id = await _attachment(attachment_id, conn)
    try:
        await access(who, question_id, conn)
    except NotFound:
        raise NotFound(IMAGE_NOT_FOUND) from None
    return attachment, storage.path(attachment.storage_key)


async def _attachment(attachment_id: int, conn: BaseDBAsyncClient) -> tuple[Attachment, int]:
    """An attachment and its question's id; one not (or no longer) attached to a question is not found."""
    attachment = await Attachment.filter(id=attachment_id, question_id__isnull=False).using_db(conn).first()
    if attachment is None or attachment.question_id is None:
        raise NotFound(IMAGE_NOT_FOUND)
    return attachment, attachment.question_id
