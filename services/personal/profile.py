"""个人资料: name and gender, the avatar (shown in the header) and the 报关员章 (the watermark of printed
declarations).

Images arrive checked like question images (``services.kit.images``: content, size, decompression bombs); the
stamp must also be a PNG (transparency preferred: a stamp without it still works, as the preview blends it
multiply). Files are written before the transaction and the replaced one removed after it, so a failed change
leaves no row pointing at nothing. Every change is audited with before / after.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from adapters.file_storage import FileStorage
from core.db import connection
from models.enterprises import Person
from models.errors import NotFound, ValidationFailed
from models.personal import Gender, PersonalProfile
from services.accounts.registration import Applicant, check_applicant
from services.desk.audit import record
from services.kit.context import ServiceContext
from services.kit.images import MSG_IMAGE_GONE, PNG, CheckedImage, shown_image, stored_image
from services.personal.labels import MSG_GENDER, MSG_STAMP_PNG
from services.workspace.company_rules import uses_transparency
from services.workspace.roles import Member

IMAGE_KINDS = ("avatar", "stamp")


@dataclass(frozen=True)
class Profile:
    name: str
    phone: str
    gender: Gender
    avatar: dict[str, Any] | None
    stamp: dict[str, Any] | None


async def profile_of(person_id: int) -> Profile:
    person = await Person.filter(id=person_id).using_db(connection()).get()
    found = await PersonalProfile.filter(person_id=person_id).using_db(connection()).first()
    found = found or PersonalProfile(person_id=person_id)
    return Profile(person.name, person.phone, found.gender, found.avatar, found.stamp)


async def avatar_of(person_id: int) -> dict[str, Any] | None:
    """The avatar shown beside the person's name in the workspace header, if any."""
    found = await PersonalProfile.filter(person_id=person_id).using_db(connection()).first()
    return found.avatar if found else None


async def image_file(storage: FileStorage, person_id: int, kind: str) -> tuple[str, Path]:
    """The content type and path of the person's avatar or stamp."""
    stored = getattr(await profile_of(person_id), kind) if kind in IMAGE_KINDS else None
    if not stored:
        raise NotFound(MSG_IMAGE_GONE)
    return stored["content_type"], storage.path(stored["key"])


def check_gender(value: str) -> Gender:
    try:
        return Gender(value or Gender.UNSET)
    except ValueError:
        raise ValidationFailed(MSG_GENDER, field="gender") from None


async def _locked(person_id: int, conn: BaseDBAsyncClient) -> PersonalProfile:
    with contextlib.suppress(IntegrityError):  # created by a concurrent request
        await PersonalProfile.get_or_create(person_id=person_id, using_db=conn)
    return await PersonalProfile.filter(person_id=person_id).using_db(conn).select_for_update().get()


async def save_profile(ctx: ServiceContext, member: Member, name: str, gender: str) -> None:
    """Name (the registration's rule) and gender, both refused at once when bad."""
    errors: dict[str, str] = {}
    person_id = member.membership.person_id
    person = await Person.filter(id=person_id).using_db(connection()).get()
    try:
        name = check_applicant(Applicant(name, person.phone)).name
    except ValidationFailed as error:
        errors["name"] = error.message
    try:
        chosen = check_gender(gender)
    except ValidationFailed as error:
        errors["gender"] = error.message
    if errors:
        raise ValidationFailed.of(errors)
    async with in_transaction() as conn:
        found = await _locked(person_id, conn)
        person = await Person.filter(id=person_id).using_db(conn).select_for_update().get()
        before = {"name": person.name, "gender": found.gender.value}
        await Person.filter(id=person_id).using_db(conn).update(name=name)
        await PersonalProfile.filter(id=found.id).using_db(conn).update(gender=chosen, updated_at=ctx.now())
        await _audit(ctx, member, "personal.profile", conn, before, {"name": name, "gender": chosen.value})


async def set_image(ctx: ServiceContext, storage: FileStorage, member: Member, kind: str,
                    image: CheckedImage) -> None:
    """Replace the avatar or the stamp (a PNG)."""
    if kind not in IMAGE_KINDS:
        raise NotFound(MSG_IMAGE_GONE)
    if kind == "stamp" and image.content_type != PNG:
        raise ValidationFailed(MSG_STAMP_PNG, field="stamp")
    # A stamp without transparency still prints (blended); the page suggests a transparent one.
    extra = {"transparent": await asyncio.to_thread(uses_transparency, image.data)} if kind == "stamp" else {}
    key = await storage.put(image.data, suffix=image.suffix)
    entry = stored_image(key, image) | extra
    try:
        async with in_transaction() as conn:
            found = await _locked(member.membership.person_id, conn)
            before = getattr(found, kind)
            await PersonalProfile.filter(id=found.id).using_db(conn).update(**{kind: entry}, updated_at=ctx.now())
            await _audit(ctx, member, f"personal.{kind}", conn, {kind: shown_image(before)}, {kind: shown_image(entry)})
    except BaseException:
        await storage.delete(key)
        raise
    if before:
        await storage.delete(before["key"])


async def remove_image(ctx: ServiceContext, storage: FileStorage, member: Member, kind: str) -> None:
    if kind not in IMAGE_KINDS:
        raise NotFound(MSG_IMAGE_GONE)
    async with in_transaction() as conn:
        found = await _locked(member.membership.person_id, conn)
        before = getattr(found, kind)
        if before is None:
            return
        await PersonalProfile.filter(id=found.id).using_db(conn).update(**{kind: None}, updated_at=ctx.now())
        await _audit(ctx, member, f"personal.{kind}_removed", conn, {kind: shown_image(before)}, {kind: None})
    await storage.delete(before["key"])


async def _audit(ctx: ServiceContext, member: Member, action: str, conn: BaseDBAsyncClient, before: Any,
                 after: Any) -> None:
    await record(ctx, member.audit_actor(), action, "person", member.membership.person_id,
                 detail={"before": before, "after": after}, conn=conn)
