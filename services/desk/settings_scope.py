"""Who may change settings, and what they reach: customs admins, within their own office's subtree.

Only an account with the admin role passes ``access_admin`` (others: Forbidden, 403). Offices and accounts
outside the admin's subtree do not exist for them (NotFound, 404), so their existence leaks nothing.
Question types and business categories are district-wide: every admin may change them.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from models.customs_accounts import CustomsAccount, CustomsRole
from models.errors import Forbidden, NotFound, ValidationFailed
from models.offices import CustomsOffice
from services.desk.audit import AuditActor, record
from services.kit.access import access_customs_account, under_office
from services.kit.actors import CustomsActor
from services.kit.context import ServiceContext

MSG_ADMINS_ONLY = "只有系统管理员可以修改设置"
MSG_OFFICE_NOT_FOUND = "海关或部门不存在或不在您的管理范围内"
MSG_ACCOUNT_NOT_FOUND = "账号不存在或不在您的管理范围内"
MSG_NAME = "请填写名称（不超过 50 个字）"
MSG_CODE_TAKEN = "代码 {code} 已被使用，请换一个"
NAME_MAX = 50


def check_setting_name(name: str) -> str:
    """The name of an office, a question type or a business category: 1–50 characters."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise ValidationFailed(MSG_NAME, field="name")
    return name


async def access_admin(account_id: int, conn: BaseDBAsyncClient) -> CustomsAccount:
    """The active admin account (with its office); Forbidden for officers and supervisors."""
    account = await access_customs_account(account_id, conn)
    if account.role is not CustomsRole.ADMIN:
        raise Forbidden(MSG_ADMINS_ONLY)
    return account


async def access_office_in_scope(admin: CustomsAccount, office_id: int, conn: BaseDBAsyncClient, *,
                                 for_update: bool = False) -> CustomsOffice:
    query = CustomsOffice.filter(under_office(admin.office), id=office_id).using_db(conn)
    office = await (query.select_for_update() if for_update else query).first()
    if office is None:
        raise NotFound(MSG_OFFICE_NOT_FOUND)
    return office


async def access_account_in_scope(admin: CustomsAccount, account_id: int, conn: BaseDBAsyncClient, *,
                                  for_update: bool = False) -> CustomsAccount:
    query = CustomsAccount.filter(under_office(admin.office, "office"), id=account_id).using_db(conn)
    account = await (query.select_for_update() if for_update else query).first()
    if account is None:
        raise NotFound(MSG_ACCOUNT_NOT_FOUND)
    await account.fetch_related("office", using_db=conn)
    return account


async def offices_in_scope(admin: CustomsAccount, conn: BaseDBAsyncClient, *,
                           active_only: bool = False) -> list[CustomsOffice]:
    """The admin's office and everything under it, depth-first (parents before their children)."""
    query = CustomsOffice.filter(under_office(admin.office))
    if active_only:
        query = query.filter(active=True)
    return await query.using_db(conn).order_by("path")


async def audit(ctx: ServiceContext, actor: CustomsActor, admin: CustomsAccount, action: str, object_type: str,
                object_id: str | int, conn: BaseDBAsyncClient, **detail: object) -> None:
    """One audit entry for a settings change, in the change's transaction."""
    await record(ctx, AuditActor.customs(admin), action, object_type, object_id, detail=detail, ip=actor.ip,
                 conn=conn)
