"""Images of refused forms, kept so that nobody has to choose the same picture twice.

A page form refused while it carried a good image (the ask form, the registration's licence) keeps that image
as a pending upload: its file in storage and an ``Attachment`` row without a question, owned by the person who
chose it (``None`` for a visitor registering). The page shows a thumbnail and sends the row's token back in a
hidden field; the next submission without a new file uses the kept image, and success releases it.

The token is the storage key: 128 random bits made by the storage, so it cannot be guessed; a person's token
is honoured only for that person. An owner keeps one pending image (keeping another drops the older ones);
pending images older than ``KEPT_FOR`` are neither shown nor used; they are dropped with the next one kept, and
by the worker's hourly clean-up (``drop_stale_images``) when nobody keeps another.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from PIL import Image

from adapters.file_storage import FileStorage
from core.db import connection
from models.errors import NotFound, ValidationFailed
from models.questions import Attachment
from services.kit.context import ServiceContext
from services.kit.images import FIELD, CheckedImage

KEPT_FOR = timedelta(days=1)
MSG_GONE = "图片已过期，请重新选择"


@dataclass(frozen=True)
class PendingImage:
    """A kept image as a page shows it: its token (for the hidden field) and its file name."""

    token: str
    filename: str


async def keep_image(ctx: ServiceContext, storage: FileStorage, owner: int | None,
                     checked: CheckedImage) -> PendingImage:
    """Keep ``checked`` for ``owner``'s next attempt, dropping the owner's older (and everyone's stale) ones."""
    await _drop(storage, await _stale(ctx, owner))
    key = await storage.put(checked.data, suffix=checked.suffix)
    await Attachment.create(question_id=None, round=0, filename=checked.filename, content_type=checked.content_type,
                            size=checked.size, sha256=checked.sha256, storage_key=key, uploaded_by_id=owner,
                            created_at=ctx.now(), using_db=connection())
    return PendingImage(key, checked.filename)


async def pending_image(ctx: ServiceContext, owner: int | None, token: str) -> PendingImage | None:
    """The kept image ``token`` names, if it is ``owner``'s and still fresh; else None."""
    row = await _row(ctx, owner, token)
    return None if row is None else PendingImage(row.storage_key, row.filename)


async def use_image(ctx: ServiceContext, storage: FileStorage, owner: int | None, token: str) -> CheckedImage:
    """The kept image's content, to submit as if chosen again; ValidationFailed on ``image`` when it is gone."""
    row = await _row(ctx, owner, token)
    if row is None:
        raise ValidationFailed(MSG_GONE, field=FIELD)
    data = await storage.read(row.storage_key)
    width, height = await asyncio.to_thread(_size, data)
    return CheckedImage(row.content_type, data, width, height, row.sha256, row.filename)


async def release_image(ctx: ServiceContext, storage: FileStorage, owner: int | None, token: str) -> None:
    """The form went through with the kept image (stored again as its own file): drop the pending one."""
    row = await _row(ctx, owner, token)
    await _drop(storage, [row] if row is not None else [])


async def pending_image_file(ctx: ServiceContext, storage: FileStorage, owner: int | None,
                             token: str) -> tuple[str, Path]:
    """The kept image's content type and file, for its thumbnail; NotFound unless it is ``owner``'s."""
    row = await _row(ctx, owner, token)
    if row is None:
        raise NotFound(MSG_GONE)
    return row.content_type, storage.path(row.storage_key)


async def drop_stale_images(ctx: ServiceContext, storage: FileStorage) -> int:
    """Drop everyone's pending images older than ``KEPT_FOR`` (rows, then files); the number dropped."""
    rows = await _old(ctx)
    await _drop(storage, rows)
    return len(rows)


async def _row(ctx: ServiceContext, owner: int | None, token: str) -> Attachment | None:
    if not token or len(token) > 80:
        return None
    return await (Attachment.filter(storage_key=token, question_id__isnull=True, uploaded_by_id=owner,
                                    created_at__gte=ctx.now() - KEPT_FOR).using_db(connection()).first())


async def _stale(ctx: ServiceContext, owner: int | None) -> list[Attachment]:
    """The owner's pending images (a person keeps one), and anyone's older than ``KEPT_FOR``."""
    pending = Attachment.filter(question_id__isnull=True).using_db(connection())
    mine = await pending.filter(uploaded_by_id=owner) if owner is not None else []
    return list({row.id: row for row in [*mine, *await _old(ctx)]}.values())


async def _old(ctx: ServiceContext) -> list[Attachment]:
    return await Attachment.filter(question_id__isnull=True, created_at__lt=ctx.now() - KEPT_FOR).using_db(
        connection())


async def _drop(storage: FileStorage, rows: list[Attachment]) -> None:
    if not rows:
        return
    await Attachment.filter(id__in=[row.id for row in rows]).using_db(connection()).delete()
    for row in rows:  # after the rows: a row never points at a missing file
        await storage.delete(row.storage_key)


def _size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        return width, height
