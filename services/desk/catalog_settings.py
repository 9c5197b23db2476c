"""Question types (问题类型) and business categories (业务类别) as customs admins keep them.

Both lists work the same way: add (code + name), rename, move up or down, deactivate and reactivate.
A deactivated entry is no longer offered on the enterprise ask form (``ask_options`` lists active ones only)
but stays on the questions that already carry it. Codes never change and never repeat. Every change is
audited.
"""

from __future__ import annotations

import re
from enum import StrEnum

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from core.db import connection
from models.catalog import BusinessCategory, QuestionType
from models.errors import NotFound, ValidationFailed
from services.desk.settings_scope import MSG_CODE_TAKEN, access_admin, audit, check_setting_name
from services.kit.actors import CustomsActor
from services.kit.context import ServiceContext

_CODE = re.compile(r"[a-z0-9_]{2,32}")
SORT_STEP = 10


class CatalogKind(StrEnum):
    TYPES = "types"  # 问题类型
    CATEGORIES = "categories"  # 业务类别

    @property
    def model(self) -> type[QuestionType] | type[BusinessCategory]:
        return QuestionType if self is CatalogKind.TYPES else BusinessCategory

    @property
    def label(self) -> str:
        return "问题类型" if self is CatalogKind.TYPES else "业务类别"

    @property
    def object_type(self) -> str:
        return "question_type" if self is CatalogKind.TYPES else "business_category"


CatalogItem = QuestionType | BusinessCategory


async def catalog(actor: CustomsActor, kind: CatalogKind) -> list[CatalogItem]:
    """Every entry of the list, active and not, in form order."""
    await access_admin(actor.account_id, connection())
    return list(await kind.model.all().order_by("sort", "id"))


async def add_catalog_item(ctx: ServiceContext, actor: CustomsActor, kind: CatalogKind, code: str,
                           name: str) -> CatalogItem:
    """A new active entry at the end of the list; a code already used (even by a deactivated one) is refused."""
    code, name = code.strip().lower(), check_setting_name(name)
    if not _CODE.fullmatch(code):
        raise ValidationFailed("代码为 2–32 位小写字母、数字或下划线", field="code")
    async with in_transaction() as conn:
        admin = await access_admin(actor.account_id, conn)
        if await kind.model.filter(code=code).using_db(conn).exists():
            raise ValidationFailed(MSG_CODE_TAKEN.format(code=code), field="code")
        last = await kind.model.all().using_db(conn).order_by("-sort").first()
        item = await kind.model.create(code=code, name=name, sort=(last.sort if last else 0) + SORT_STEP,
                                       using_db=conn)
        await audit(ctx, actor, admin, f"{kind.object_type}.create", kind.object_type, code, conn, name=name)
        return item


async def _item(kind: CatalogKind, item_id: int, conn: BaseDBAsyncClient) -> CatalogItem:
    item = await kind.model.filter(id=item_id).using_db(conn).select_for_update().first()
    if item is None:
        raise NotFound(f"该{kind.label}不存在")
    return item


async def rename_catalog_item(ctx: ServiceContext, actor: CustomsActor, kind: CatalogKind, item_id: int,
                              name: str) -> None:
    """A new name; questions that carry the entry show the new name."""
    name = check_setting_name(name)
    async with in_transaction() as conn:
        admin = await access_admin(actor.account_id, conn)
        item = await _item(kind, item_id, conn)
        if item.name == name:
            return
        old, item.name = item.name, name
        await item.save(using_db=conn, update_fields=["name"])
        await audit(ctx, actor, admin, f"{kind.object_type}.rename", kind.object_type, item.code, conn,
                    old=old, name=name)


async def move_catalog_item(ctx: ServiceContext, actor: CustomsActor, kind: CatalogKind, item_id: int,
                            up: bool) -> None:
    """One place up or down in the list; the whole list is renumbered in steps of ten."""
    async with in_transaction() as conn:
        admin = await access_admin(actor.account_id, conn)
        items: list[CatalogItem] = list(
            await kind.model.all().using_db(conn).order_by("sort", "id").select_for_update())
        at = next((i for i, item in enumerate(items) if item.id == item_id), None)
        if at is None:
            raise NotFound(f"该{kind.label}不存在")
        to = at - 1 if up else at + 1
        if not 0 <= to < len(items):
            return
        items[at], items[to] = items[to], items[at]
        for position, item in enumerate(items, start=1):
            if item.sort != position * SORT_STEP:
                item.sort = position * SORT_STEP
                await item.save(using_db=conn, update_fields=["sort"])
        await audit(ctx, actor, admin, f"{kind.object_type}.move", kind.object_type, items[to].code, conn,
                    position=to + 1)


async def set_catalog_item_active(ctx: ServiceContext, actor: CustomsActor, kind: CatalogKind, item_id: int,
                                  active: bool) -> None:
    """Deactivate (gone from the ask form, kept on old questions) or reactivate an entry."""
    async with in_transaction() as conn:
        admin = await access_admin(actor.account_id, conn)
        item = await _item(kind, item_id, conn)
        if item.active == active:
            return
        item.active = active
        await item.save(using_db=conn, update_fields=["active"])
        action = "activate" if active else "deactivate"
        await audit(ctx, actor, admin, f"{kind.object_type}.{action}", kind.object_type, item.code, conn)
