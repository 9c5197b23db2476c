"""The one image of a form or an API request, and a refused page form's image kept for the next attempt.

``uploaded_image`` checks the multipart field ``image`` (decoding runs in a thread: it is CPU-bound).
On a page form, ``form_image`` takes a newly chosen file, else the image the form kept from its refused attempt
(its token in the hidden field ``image_token``, services/kit/pending_images.py); ``keep_on_refusal`` keeps a
good new image when the form is refused (and adds a bad one's refusal to the others: every field at once), so
the page shows it as a thumbnail instead of asking for it again. ``GET /h5/kept-image?token=…`` serves that
thumbnail to whoever chose it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, file

from handlers.kit.auth import current_session
from handlers.kit.forms import Refused
from models.errors import NotFound, ValidationFailed
from services.kit.images import FIELD, CheckedImage, check_image
from services.kit.pending_images import (
    MSG_GONE,
    PendingImage,
    keep_image,
    pending_image,
    pending_image_file,
    release_image,
    use_image,
)

IMAGE_TOKEN = "image_token"


async def uploaded_image(request: Request, *, required: bool = False, name: str = FIELD) -> CheckedImage | None:
    """The checked image of the multipart field ``name``; None when no file was chosen (and none required).

    A refusal names the field ``name``, so the page shows it beside that file input."""
    upload = request.files.get(name) if request.files else None
    if upload is None or (not upload.body and not upload.name):
        if not required:
            return None
        upload_body, upload_name = b"", ""
    else:
        upload_body, upload_name = upload.body, upload.name or ""
    limit = request.app.ctx.settings.web.upload_max_bytes
    try:
        return await asyncio.to_thread(check_image, upload_body, upload_name, max_bytes=limit)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field=name) from None


async def chosen_image(request: Request, name: str) -> CheckedImage:
    """The checked image of the multipart field ``name``; no file chosen is refused beside it ("请选择图片")."""
    image = await uploaded_image(request, required=True, name=name)
    assert image is not None  # required: an absent file is refused by the check
    return image


def kept_token(request: Request) -> str:
    return str((request.form or {}).get(IMAGE_TOKEN) or "").strip() if request.form else ""


async def form_image(request: Request, owner: int | None,
                     check: Callable[[], object] | None = None) -> tuple[CheckedImage | None, str]:
    """The form's image — a new file, else the kept one — and the kept one's token (release it after success).

    A bad new image: ``check`` (the form's own check) runs first, so its refusals come with the image's."""
    try:
        image = await uploaded_image(request)
    except ValidationFailed:
        if check is not None:
            check()
        raise
    token = kept_token(request)
    if image is not None or not token:
        return image, ""
    return await use_image(request.app.ctx.services, request.app.ctx.storage, owner, token), token


async def release_kept(request: Request, owner: int | None, token: str) -> None:
    if token:
        await release_image(request.app.ctx.services, request.app.ctx.storage, owner, token)


async def keep_on_refusal(request: Request, owner: int | None, refused: Refused) -> tuple[Refused, PendingImage | None]:
    """The refused form's errors (with the image's own, if a new one is bad) and the image it keeps, if any."""
    ctx = request.app.ctx
    try:
        image = await uploaded_image(request)
    except ValidationFailed as error:
        return refused.adding(FIELD, error.message), None
    if image is not None:
        return refused, await keep_image(ctx.services, ctx.storage, owner, image)
    return refused, await pending_image(ctx.services, owner, kept_token(request))


def kept_image_blueprint() -> Blueprint:
    bp = Blueprint("kept_image")

    @bp.get("/h5/kept-image")
    async def kept_image(request: Request) -> HTTPResponse:
        """The thumbnail of a kept image: a signed-in person's own, or a visitor's (registration) by its token."""
        session = await current_session(request)
        token = request.args.get("token", "")
        for owner in dict.fromkeys([session.person_id if session else None, None]):
            try:
                content_type, path = await pending_image_file(request.app.ctx.services, request.app.ctx.storage,
                                                              owner, token)
            except NotFound:
                continue
            return await file(path, mime_type=content_type, headers={"cache-control": "private, max-age=3600"})
        raise NotFound(MSG_GONE)

    return bp
