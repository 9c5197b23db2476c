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
from services.kit.access import access_customs_account, customs_scope
from services.kit.context import ServiceContext
from services.kit.paging import check_limit, decode_time_cursor, encode_time_cursor
from services.questions.queue import start_of

MSG_FORBIDDEN = "只有科长/主管和系统管理员可以查看审计日志"
MSG_BAD_DATE = "日期格式应为 YYYY-MM-DD"
MSG_BAD_RANGE = "结束日期不能早于开始日期"
MSG_BAD_ACTION = "操作类型筛选无效"
MSG_BAD_OBJECT_TYPE = "对象类型筛选无效"
MSG_LONG = "筛选内容不能超过 64 个字"
MAX_LIMIT = 100
_ACTION = re.compile(r"[a-z_]+\.[a-z_]+")

OBJECT_LABELS = {
    "question": "问题", "registration": "注册申请", "customs_account": "海关账号", "customs_office": "海关/部门",
    "question_type": "问题类型", "business_category": "业务类别", "outbox_message": "通知", "person": "企业用户",
    "enterprise": "企业", "membership": "企业成员", "local_account": "本地账号", "central_link": "单一窗口账号",
    "card_binding": "卡介质", "module_authorisation": "模块授权", "sms_alert": "短信配置错误",
}
ACTION_LABELS = {
    "question.accept": "受理问题", "question.reply": "回复问题", "question.forward": "转交问题",
    "question.publish": "公开问题", "question.unpublish": "取消公开",
    "registration.approved": "注册审核通过", "registration.rejected": "注册审核驳回",
    "registration.card": "凭卡注册", "registration.form": "提交注册申请", "registration.wechat": "微信内提交注册申请",
    "customs.sign_in": "登录工作台", "customs.sign_in_failed": "登录失败", "customs.locked": "账号锁定",
    "customs_account.create": "新建海关账号", "customs_account.update": "修改海关账号",
    "customs_account.reset_password": "重置密码", "customs_account.unlock": "解锁账号",
    "customs_account.wechat_bind": "绑定微信提醒", "customs_account.wechat_unbind": "解除微信提醒",
    "customs_office.create": "新建海关/部门", "customs_office.rename": "修改海关/部门名称",
    "customs_office.accepts_questions": "设置受理单位", "customs_office.activate": "启用海关/部门",
    "customs_office.deactivate": "停用海关/部门",
    "question_type.create": "新建问题类型", "question_type.rename": "修改问题类型",
    "question_type.move": "调整问题类型顺序", "question_type.activate": "启用问题类型",
    "question_type.deactivate": "停用问题类型",
    "business_category.create": "新建业务类别", "business_category.rename": "修改业务类别",
    "business_category.move": "调整业务类别顺序", "business_category.activate": "启用业务类别",
    "business_category.deactivate": "停用业务类别",
    "sms_alert.resolve": "标记短信配置错误已处理",
    "outbox.retry": "重发通知", "wechat.bind": "企业用户绑定微信", "wechat.unbind": "企业用户解除微信绑定",
    "customs_account.activate": "启用海关账号", "customs_account.deactivate": "停用海关账号",
    "people.add": "企业添加人员", "people.edit": "企业修改人员", "people.remove": "企业移除人员",
    "membership.join": "加入企业", "local_account.create": "注册本地账号", "local_account.sign_in": "本地账号登录",
    "local_account.sign_in_failed": "本地账号登录失败", "local_account.locked": "本地账号锁定",
    "central_link.link": "绑定单一窗口账号", "central_link.unlink": "解除单一窗口账号绑定",
    "card.bind": "绑定卡介质", "card.authorise": "法人卡授权", "card.revoke": "撤销授权",
}
ACTOR_KINDS = {"customs": "海关", "person": "企业", "system": "系统"}
DETAIL_LABELS = {"reply_kind": "回复类型", "reason": "原因", "from_office": "原部门", "to_office": "转至",
                 "title": "标题", "name": "名称", "old": "原名称", "via": "方式", "role": "角色", "office": "单位",
                 "new": "新值", "module": "模块", "credit_code": "统一社会信用代码", "card_no": "卡号",
                 "card_type": "卡类型", "username": "用户名"}
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
        values = {k: _one(args, k) for k in ("actor", "action", "object_type", "object_id")}
        for key, value in values.items():
            if len(value) > 64:
                raise ValidationFailed(MSG_LONG, field=key)
        if values["action"] and not _ACTION.fullmatch(values["action"]):
            raise ValidationFailed(MSG_BAD_ACTION, field="action")
        if values["object_type"] and values["object_type"] not in OBJECT_LABELS:
            raise ValidationFailed(MSG_BAD_OBJECT_TYPE, field="object_type")
        flt = cls(**values, date_from=_date(_one(args, "date_from"), "date_from"),
                  date_to=_date(_one(args, "date_to"), "date_to"))
        if flt.date_from and flt.date_to and flt.date_to < flt.date_from:
            raise ValidationFailed(MSG_BAD_RANGE, field="date_to")
        return flt


def _one(args: Mapping[str, Any], key: str) -> str:
    value = args.get(key)
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return " ".join(str(value or "").split())


def _date(text: str, field: str) -> date | None:
    if not text:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValidationFailed(MSG_BAD_DATE, field=field)


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
        query = query.filter(Q(created_at__lte=at) & (Q(created_at__lt=at) | Q(created_at=at, id__lt=last_id)))
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
    return AuditItem(row.id, row.created_at, ACTOR_KINDS.get(row.actor_kind, row.actor_kind), row.actor_name,
                     row.action, action_label(row.action), row.object_type,
                     OBJECT_LABELS.get(row.object_type, row.object_type), row.object_id, detail[:300], row.ip or "")
