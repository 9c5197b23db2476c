"""Reading the audit log (the admin web's /admin/audit): filtered, scoped, newest first, in keyset pages.

Scope (issue 5 §8; the entry's ``office_id`` is written by ``services.desk.audit.record``):
- a supervisor sees the entries whose office is in their office's sub-tree — entries by customs accounts of
  those offices, and entries by enterprise users or the system about questions of those offices;
- a customs admin sees the same for their sub-tree plus the district-wide entries without an office
  (enterprise users binding WeChat, registrations, sign-in attempts with unknown user names);
- an officer may not read the log (Forbidden).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from core.db import connection
from models.audit import AuditEntry
from models.customs_accounts import CustomsRole
from models.enterprises import MemberRole
from models.errors import Forbidden, ValidationFailed
from models.lifecycle import ReplyKind
from models.offices import CustomsOffice
from services.accounts.labels import CUSTOMS_ROLE_LABELS, MEMBER_ROLE_LABELS, VIA_LABELS
from services.desk.labels import ACTION_LABELS, ACTOR_KIND_LABELS, DETAIL_LABELS, OBJECT_LABELS
from services.kit.access import access_customs_account, customs_scope
from services.kit.context import ServiceContext, start_of
from services.kit.filters import day_arg, one_arg
from services.kit.paging import after_time_key, check_limit, decode_time_cursor, encode_time_cursor

MSG_FORBIDDEN = "只有科长/主管和系统管理员可以查看审计日志"
MSG_BAD_RANGE = "结束日期不能早于开始日期"
MSG_BAD_ACTION = "操作类型筛选无效"
MSG_BAD_OBJECT_TYPE = "对象类型筛选无效"
MSG_LONG = "筛选内容不能超过 64 个字"
MAX_LIMIT = 100
_ACTION = re.compile(r"[a-z_]+\.[a-z_]+")

HIDDEN_DETAIL = {"openid", "issuer", "subject"}  # identifiers of outside accounts: kept, not shown


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""  # the actor's name, contains
    action: str = ""  # exact action key, e.g. question.forward
    object_type: str = ""
    object_id: str = ""  # exact: a question number, a user name, an office code …
    date_from: date | None = None
    date_to: date | None = None  # inclusive

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> AuditFilter:
        """Parse query arguments; bad values are ValidationFailed naming the field."""
        values = {k: one_arg(args, k) for k in ("actor", "action", "object_type", "object_id")}
        for key, value in values.items():
            if len(value) > 64:
                raise ValidationFailed(MSG_LONG, field=key)
        if values["action"] and not _ACTION.fullmatch(values["action"]):
            raise ValidationFailed(MSG_BAD_ACTION, field="action")
        if values["object_type"] and values["object_type"] not in OBJECT_LABELS:
            raise ValidationFailed(MSG_BAD_OBJECT_TYPE, field="object_type")
        flt = cls(**values, date_from=day_arg(one_arg(args, "date_from"), "date_from"),
                  date_to=day_arg(one_arg(args, "date_to"), "date_to"))
        if flt.date_from and flt.date_to and flt.date_to < flt.date_from:
            raise ValidationFailed(MSG_BAD_RANGE, field="date_to")
        return flt


@dataclass(frozen=True)
class AuditItem:
    id: int
    at: datetime
    actor_kind: str
    actor_name: str
    action: str
    action_label: str
    object_type: str
    object_label: str
    object_id: str
    detail: str
    ip: str


@dataclass(frozen=True)
class AuditPage:
    items: tuple[AuditItem, ...]
    next_cursor: str | None


async def audit_scope(account_id: int) -> Q:
    """The entries the account may read (Forbidden for an officer)."""
    account = await access_customs_account(account_id, connection())
    if account.role is CustomsRole.OFFICER:
        raise Forbidden(MSG_FORBIDDEN)
    offices = await (CustomsOffice.filter(customs_scope(account, via="")).using_db(connection())
                     .values_list("id", flat=True))
    scope = Q(office_id__in=list(offices))
    return scope | Q(office_id__isnull=True) if account.role is CustomsRole.ADMIN else scope


async def list_audit(ctx: ServiceContext, account_id: int, flt: AuditFilter, *, cursor: str | None = None,
                     limit: int = 50) -> AuditPage:
    """One page of the log in the account's scope, newest first; ``cursor`` is the previous ``next_cursor``."""
    check_limit(limit, MAX_LIMIT)
    key = decode_time_cursor(cursor) if cursor else None
    query = AuditEntry.filter(await audit_scope(account_id)).using_db(connection())
    if flt.actor:
        query = query.filter(actor_name__icontains=flt.actor)
    if flt.action:
        query = query.filter(action=flt.action)
    if flt.object_type:
        query = query.filter(object_type=flt.object_type)
    if flt.object_id:
        query = query.filter(object_id=flt.object_id)
    if flt.date_from:
        query = query.filter(created_at__gte=start_of(flt.date_from, ctx.tz))
    if flt.date_to:
        query = query.filter(created_at__lt=start_of(flt.date_to + timedelta(days=1), ctx.tz))
    if key is not None:
        at, last_id = key
        query = query.filter(after_time_key("created_at", at, last_id))
    rows = await query.order_by("-created_at", "-id").limit(limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    items = tuple(_item(row) for row in rows)
    return AuditPage(items, encode_time_cursor(items[-1].at, items[-1].id) if more else None)


def _value(key: str, value: Any, action: str) -> str:
    """A detail's value in Chinese where it is a code: a reply kind, a role (a customs account's or a member's), a
    channel; anything else as stored."""
    if key == "reply_kind" and value in ReplyKind._value2member_map_:
        return ReplyKind(value).label
    if key == "role" and action.startswith("customs_account.") and value in CustomsRole._value2member_map_:
        return CUSTOMS_ROLE_LABELS[CustomsRole(value)]
    if key == "role" and value in MemberRole._value2member_map_:
        return MEMBER_ROLE_LABELS[MemberRole(value)]
    if key == "via":
        return VIA_LABELS.get(str(value), str(value))
    return str(value)


def _item(row: AuditEntry) -> AuditItem:
    detail = "；".join(f"{DETAIL_LABELS.get(k, k)}：{_value(k, v, row.action)}" for k, v in (row.detail or {}).items()
                      if k not in HIDDEN_DETAIL and not k.endswith("_id"))
    return AuditItem(row.id, row.created_at, ACTOR_KIND_LABELS.get(row.actor_kind, row.actor_kind), row.actor_name,
                     row.action, action_label(row.action), row.object_type,
                     OBJECT_LABELS.get(row.object_type, row.object_type), row.object_id, detail[:300], row.ip or "")
