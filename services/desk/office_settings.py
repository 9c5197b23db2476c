"""Customs offices and departments (海关与部门) as a customs admin keeps them, within their subtree.

The admin sees their office and everything under it; adds a department under any active office there
(its code unique district-wide, its materialised path computed from the parent's), renames, switches
受理问题 (``accepts_questions``: offered as accepting unit on the ask form when also listed in
``district.accepting_office_codes``), deactivates and reactivates. An office still in use — active accounts,
open questions, active sub-offices — cannot be deactivated. Every change is audited.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core.db import connection
from models.customs_accounts import CustomsAccount
from models.errors import IllegalTransition, ValidationFailed
from models.lifecycle import Status
from models.offices import CustomsOffice, OfficeKind
from models.questions import Question
from services.desk.labels import OFFICE_KIND_LABELS
from services.desk.settings_scope import (
    MSG_CODE_TAKEN,
    access_admin,
    access_office_in_scope,
    audit,
    check_setting_name,
    offices_in_scope,
)
from services.kit.access import under_office
from services.kit.actors import CustomsActor
from services.kit.context import ServiceContext

_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{1,15}")
# A question in these states is finished with (or never reached customs): it does not keep an office in use.
SETTLED = (Status.DRAFT, Status.WITHDRAWN, Status.CLOSED, Status.DELETED)


@dataclass(frozen=True)
class OfficeRow:
    office: CustomsOffice
    depth: int  # 0 for the admin's own office
    active_accounts: int

    @property
    def kind_label(self) -> str:
        return OFFICE_KIND_LABELS[self.office.kind]


async def office_tree(actor: CustomsActor) -> list[OfficeRow]:
    """The admin's office and everything under it, depth-first, with the number of active accounts of each."""
    conn = connection()
    admin = await access_admin(actor.account_id, conn)
    offices = await offices_in_scope(admin, conn)
    office_ids = await (CustomsAccount.filter(under_office(admin.office, "office"), active=True)
                        .using_db(conn).values_list("office_id", flat=True))
    counts = Counter(int(i) for i in office_ids)  # type: ignore[call-overload]  # flat values_list
    base = admin.office.path.count("/")
    return [OfficeRow(o, o.path.count("/") - base, counts[o.id]) for o in offices]


async def office_in_scope(actor: CustomsActor, office_id: int) -> tuple[OfficeRow, CustomsOffice | None]:
    """One office of the admin's scope with its number of active accounts, and its parent (None at the top)."""
    conn = connection()
    admin = await access_admin(actor.account_id, conn)
    office = await access_office_in_scope(admin, office_id, conn)
    accounts = await CustomsAccount.filter(active=True, office_id=office.id).using_db(conn).count()
    parent = await CustomsOffice.filter(id=office.parent_id).using_db(conn).first() if office.parent_id else None
    depth = office.path.count("/") - admin.office.path.count("/")
    return OfficeRow(office, depth, accounts), parent


async def add_department(ctx: ServiceContext, actor: CustomsActor, parent_id: int, code: str,
                         name: str) -> CustomsOffice:
    """A new active department under ``parent_id`` (an active office in the admin's scope)."""
    code, name = code.strip(), check_setting_name(name)
    if not _CODE.fullmatch(code):
        raise ValidationFailed("代码为 2–16 位字母、数字或连字符，如 0901-05", field="code")
    async with in_transaction() as conn:
        admin = await access_admin(actor.account_id, conn)
        parent = await access_office_in_scope(admin, parent_id, conn)
        if not parent.active:
            raise ValidationFailed("上级单位已停用，不能在其下新增部门", field="parent_id")
        if len(parent.path) + len(code) + 1 > 255:
            raise ValidationFailed("层级过深，不能再新增下级部门", field="parent_id")
        if await CustomsOffice.filter(code=code).using_db(conn).exists():
            raise ValidationFailed(MSG_CODE_TAKEN.format(code=code), field="code")
        office = await CustomsOffice.create(code=code, name=name, short_name=name, kind=OfficeKind.DEPARTMENT,
                                            parent=parent, path=f"{parent.path}{code}/", using_db=conn)
        await audit(ctx, actor, admin, "customs_office.create", "customs_office", code, conn, name=name,
                    parent=parent.code)
        return office


async def rename_office(ctx: ServiceContext, actor: CustomsActor, office_id: int, name: str) -> None:
    name = check_setting_name(name)
    async with in_transaction() as conn:
        admin = await access_admin(actor.account_id, conn)
        office = await access_office_in_scope(admin, office_id, conn, for_update=True)
        if office.name == name:
            return
        old, office.name = office.name, name
        if office.kind is OfficeKind.DEPARTMENT:
            office.short_name = name
        await office.save(using_db=conn, update_fields=["name", "short_name"])
        await audit(ctx, actor, admin, "customs_office.rename", "customs_office", office.code, conn, old=old,
                    name=name)


async def set_accepts_questions(ctx: ServiceContext, actor: CustomsActor, office_id: int, accepts: bool) -> None:
    """Switch 受理问题 on or off for an office in scope."""
    await _switch(ctx, actor, office_id, "accepts_questions", accepts, "customs_office.accepts_questions",
                  detail={"accepts_questions": accepts})


async def set_office_active(ctx: ServiceContext, actor: CustomsActor, office_id: int, active: bool) -> None:
    """Deactivate an office no longer in use, or reactivate one whose parent is active."""
    action = "activate" if active else "deactivate"
    await _switch(ctx, actor, office_id, "active", active, f"customs_office.{action}",
                  check=_check_parent_active if active else _check_unused)


Check = Callable[[CustomsOffice, BaseDBAsyncClient], Awaitable[None]]


async def _switch(ctx: ServiceContext, actor: CustomsActor, office_id: int, field: str, value: bool, action: str,
                  *, check: Check | None = None, detail: dict[str, Any] | None = None) -> None:
    """Set one switch of an office in scope; the same value again is a no-op, a change is audited."""
    async with in_transaction() as conn:
        admin = await access_admin(actor.account_id, conn)
        office = await access_office_in_scope(admin, office_id, conn, for_update=True)
        if getattr(office, field) == value:
            return
        if check is not None:
            await check(office, conn)
        setattr(office, field, value)
        await office.save(using_db=conn, update_fields=[field])
        await audit(ctx, actor, admin, action, "customs_office", office.code, conn, **(detail or {}))


async def _check_parent_active(office: CustomsOffice, conn: BaseDBAsyncClient) -> None:
    if office.parent_id is not None and not await CustomsOffice.filter(
            id=office.parent_id, active=True).using_db(conn).exists():
        raise IllegalTransition("上级单位已停用，请先启用上级单位", field="active")


async def _check_unused(office: CustomsOffice, conn: BaseDBAsyncClient) -> None:
    accounts = await CustomsAccount.filter(office_id=office.id, active=True).using_db(conn).count()
    if accounts:
        raise IllegalTransition(f"该单位还有 {accounts} 个在用账号，请先停用这些账号或把它们调到其他单位",
                                field="active")
    open_questions = await (Question.filter(Q(office_id=office.id) | Q(accepting_office_id=office.id))
                            .exclude(status__in=SETTLED).using_db(conn).count())
    if open_questions:
        raise IllegalTransition(f"该单位还有 {open_questions} 个未办结的问题，请先转办或办结后再停用",
                                field="active")
    children = await CustomsOffice.filter(parent_id=office.id, active=True).using_db(conn).count()
    if children:
        raise IllegalTransition(f"该单位下还有 {children} 个在用的下级单位，请先停用下级单位", field="active")
