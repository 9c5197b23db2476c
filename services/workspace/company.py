"""管理员中心 → 企业设置: company and invoice information, logo and seal, business switches, 企业风采.

Each use case checks the caller's decision (the route checked it too: the service does not trust its edge), then
the input (``company_rules``), then locks the enterprise's settings row and changes it in one transaction with
its audit entry (before / after) and, for what the admins are told of (``TOLD_CHANGES``), their messages.
Images arrive checked (``services.kit.images``); their files are written before the transaction and the
replaced ones removed after it, so a failed change leaves no row pointing at nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from adapters.file_storage import FileStorage
from core.db import connection
from models.company import CompanySettings, every_kind
from models.enterprises import Enterprise
from models.errors import NotFound, ValidationFailed
from services.desk.audit import record
from services.kit.context import ServiceContext
from services.kit.images import MSG_IMAGE_GONE, PNG, CheckedImage, shown_image, stored_image
from services.messages.events import company_changed_messages
from services.workspace.company_rules import (
    MAX_CAROUSEL,
    MAX_LINKS,
    MSG_SEAL,
    CompanyInfo,
    check_info,
    check_link,
    check_switches,
    check_url,
    uses_transparency,
)
from services.workspace.roles import Member

COMPANY_VIEW, COMPANY_EDIT = "system:company:view", "system:company:edit"
IMAGE_KINDS = ("logo", "seal")
MSG_CAROUSEL_FULL = f"最多 {MAX_CAROUSEL} 张"
MSG_LINKS_FULL = f"最多 {MAX_LINKS} 个链接"
MSG_ITEM_GONE = "该项不存在或已被删除"
INFO_FIELDS = tuple(CompanyInfo.__dataclass_fields__)
# The changes the enterprise's admins are told of in the message centre (企业风采 is shown, not told).
TOLD_CHANGES = {"company.info": "企业信息与开票信息", "company.switches": "业务开关",
                "company.review": "二复核设置", "company.logo": "企业标志",
                "company.seal": "企业印章"}


async def company_settings(member: Member) -> tuple[Enterprise, CompanySettings]:
    """The enterprise (its name is the registered one, read-only here) and its settings (defaults until saved)."""
    member.decision.require(COMPANY_VIEW)
    enterprise = await Enterprise.filter(id=member.enterprise_id).using_db(connection()).get()
    found = await CompanySettings.filter(enterprise_id=member.enterprise_id).using_db(connection()).first()
    return enterprise, found or CompanySettings(enterprise_id=member.enterprise_id)


async def image_file(member: Member, storage: FileStorage, item: str) -> tuple[str, Any]:
    """The content type and path of the logo, the seal or a carousel image (by its id)."""
    _, found = await company_settings(member)
    stored = getattr(found, item) if item in IMAGE_KINDS else next(
        (entry for entry in found.carousel if entry["id"] == item), None)
    if not stored:
        raise NotFound(MSG_IMAGE_GONE)
    return stored["content_type"], storage.path(stored["key"])


async def _locked(member: Member, conn: BaseDBAsyncClient) -> CompanySettings:
    """The settings row, locked for this transaction; created on first change."""
    with contextlib.suppress(IntegrityError):  # created by a concurrent request
        await CompanySettings.get_or_create(enterprise_id=member.enterprise_id, using_db=conn)
    return await CompanySettings.filter(enterprise_id=member.enterprise_id).using_db(conn).select_for_update().get()


async def _audit(ctx: ServiceContext, member: Member, action: str, conn: BaseDBAsyncClient, before: Any,
                 after: Any) -> None:
    await record(ctx, member.audit_actor(), action, "company_settings", member.enterprise_id,
                 detail={"enterprise_id": member.enterprise_id, "before": before, "after": after}, conn=conn)
    if action in TOLD_CHANGES and before != after:
        await company_changed_messages(conn, enterprise_id=member.enterprise_id, what=TOLD_CHANGES[action],
                                       by_name=member.membership.person.name, now=ctx.now())


def info_snapshot(found: CompanySettings) -> dict[str, str]:
    return {name: getattr(found, name) for name in INFO_FIELDS}


async def save_info(ctx: ServiceContext, member: Member, info: CompanyInfo) -> None:
    member.decision.require(COMPANY_EDIT)
    cleaned = check_info(info)
    async with in_transaction() as conn:
        found = await _locked(member, conn)
        before = info_snapshot(found)
        found.update_from_dict({**cleaned.__dict__, "updated_at": ctx.now()})
        await found.save(using_db=conn)
        await _audit(ctx, member, "company.info", conn, before, info_snapshot(found))


async def kind_enabled(enterprise_id: int, kind: str, conn: BaseDBAsyncClient) -> bool:
    """业务设置: may the enterprise enter declarations of ``kind``? Every kind until its admin saves the switches."""
    found = await CompanySettings.filter(enterprise_id=enterprise_id).using_db(conn).first()
    return kind in (found.declaration_kinds if found else every_kind())


async def second_review_on(enterprise_id: int, conn: BaseDBAsyncClient) -> bool:
    """二复核: does an approval of the enterprise's declarations need a second reviewer? Off until turned on."""
    found = await CompanySettings.filter(enterprise_id=enterprise_id).using_db(conn).first()
    return bool(found and found.second_review)


async def save_second_review(ctx: ServiceContext, member: Member, on: bool) -> None:
    member.decision.require(COMPANY_EDIT)
    async with in_transaction() as conn:
        found = await _locked(member, conn)
        before = {"second_review": found.second_review}
        found.second_review, found.updated_at = on, ctx.now()
        await found.save(using_db=conn)
        await _audit(ctx, member, "company.review", conn, before, {"second_review": on})


def switches_snapshot(found: CompanySettings) -> dict[str, Any]:
    return {"declaration_kinds": list(found.declaration_kinds), "aircraft_auto": found.aircraft_auto,
            "aircraft_time": found.aircraft_time}


async def save_switches(ctx: ServiceContext, member: Member, kinds: list[str], aircraft_auto: bool,
                        aircraft_time: str) -> None:
    """The time is editable only while 航空器自动申报 is on: sent while off, it is refused; off keeps the old one."""
    member.decision.require(COMPANY_EDIT)
    chosen, time = check_switches(kinds, aircraft_auto, aircraft_time)
    async with in_transaction() as conn:
        found = await _locked(member, conn)
        before = switches_snapshot(found)
        found.declaration_kinds, found.aircraft_auto = chosen, aircraft_auto
        if aircraft_auto:
            found.aircraft_time = time
        found.updated_at = ctx.now()
        await found.save(using_db=conn)
        await _audit(ctx, member, "company.switches", conn, before, switches_snapshot(found))


async def set_image(ctx: ServiceContext, storage: FileStorage, member: Member, kind: str,
                    image: CheckedImage) -> None:
    """Replace the logo or the seal; the seal must be a PNG whose transparency some pixel uses."""
    member.decision.require(COMPANY_EDIT)
    if kind not in IMAGE_KINDS:
        raise NotFound(MSG_IMAGE_GONE)
    if kind == "seal" and (image.content_type != PNG or not await asyncio.to_thread(uses_transparency, image.data)):
        raise ValidationFailed(MSG_SEAL, field="seal")
    key = await storage.put(image.data, suffix=image.suffix)
    try:
        async with in_transaction() as conn:
            found = await _locked(member, conn)
            before = getattr(found, kind)
            setattr(found, kind, stored_image(key, image))
            found.updated_at = ctx.now()
            await found.save(using_db=conn)
            await _audit(ctx, member, f"company.{kind}", conn, {kind: shown_image(before)},
                         {kind: shown_image(getattr(found, kind))})
    except BaseException:
        await storage.delete(key)
        raise
    if before:
        await storage.delete(before["key"])


def _carousel_snapshot(found: CompanySettings) -> list[dict[str, Any]]:
    return [{"id": entry["id"], "filename": entry["filename"], "sha256": entry["sha256"], "link": entry["link"]}
            for entry in found.carousel]


async def add_carousel(ctx: ServiceContext, storage: FileStorage, member: Member, image: CheckedImage,
                       link: str) -> None:
    """Append an image with an optional link; the 7th is refused (counted under the row's lock)."""
    member.decision.require(COMPANY_EDIT)
    link = check_url(link, field="carousel_link", required=False)
    key = await storage.put(image.data, suffix=image.suffix)
    try:
        async with in_transaction() as conn:
            found = await _locked(member, conn)
            if len(found.carousel) >= MAX_CAROUSEL:
                raise ValidationFailed(MSG_CAROUSEL_FULL, field="carousel_image")
            before = _carousel_snapshot(found)
            entry = stored_image(key, image) | {"id": secrets.token_hex(8), "link": link}
            await _save_list(ctx, member, conn, found, "carousel", [*found.carousel, entry], before)
    except BaseException:
        await storage.delete(key)
        raise


async def _save_list(ctx: ServiceContext, member: Member, conn: BaseDBAsyncClient, found: CompanySettings,
                     name: str, entries: list[dict[str, Any]], before: list[dict[str, Any]]) -> None:
    setattr(found, name, entries)
    found.updated_at = ctx.now()
    await found.save(using_db=conn)
    after = _carousel_snapshot(found) if name == "carousel" else list(found.links)
    await _audit(ctx, member, f"company.{name}", conn, {name: before}, {name: after})


def _index(entries: list[dict[str, Any]], item: str) -> int:
    for index, entry in enumerate(entries):
        if entry["id"] == item:
            return index
    raise NotFound(MSG_ITEM_GONE)


async def remove_carousel(ctx: ServiceContext, storage: FileStorage, member: Member, item: str) -> None:
    member.decision.require(COMPANY_EDIT)
    async with in_transaction() as conn:
        found = await _locked(member, conn)
        entries = list(found.carousel)
        removed = entries.pop(_index(entries, item))
        await _save_list(ctx, member, conn, found, "carousel", entries, _carousel_snapshot(found))
    await storage.delete(removed["key"])


async def move_carousel(ctx: ServiceContext, member: Member, item: str, step: int) -> None:
    """Move an image one place earlier (``step`` -1) or later (+1); at either end nothing changes."""
    member.decision.require(COMPANY_EDIT)
    async with in_transaction() as conn:
        found = await _locked(member, conn)
        entries = list(found.carousel)
        index = _index(entries, item)
        target = index + (1 if step > 0 else -1)
        if not 0 <= target < len(entries):
            return
        entries[index], entries[target] = entries[target], entries[index]
        await _save_list(ctx, member, conn, found, "carousel", entries, _carousel_snapshot(found))


async def add_link(ctx: ServiceContext, member: Member, title: str, url: str) -> None:
    member.decision.require(COMPANY_EDIT)
    title, url = check_link(title, url)
    async with in_transaction() as conn:
        found = await _locked(member, conn)
        if len(found.links) >= MAX_LINKS:
            raise ValidationFailed(MSG_LINKS_FULL, field="link_title")
        entry = {"id": secrets.token_hex(8), "title": title, "url": url}
        await _save_list(ctx, member, conn, found, "links", [*found.links, entry], list(found.links))


async def remove_link(ctx: ServiceContext, member: Member, item: str) -> None:
    member.decision.require(COMPANY_EDIT)
    async with in_transaction() as conn:
        found = await _locked(member, conn)
        entries = list(found.links)
        entries.pop(_index(entries, item))
        await _save_list(ctx, member, conn, found, "links", entries, list(found.links))
