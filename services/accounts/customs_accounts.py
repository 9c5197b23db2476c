"""Customs accounts: creation with a hashed password (argon2), written to the audit log."""

from __future__ import annotations

import re

from tortoise.transactions import in_transaction

from models.customs_accounts import CustomsAccount, CustomsRole
from models.errors import ValidationFailed
from models.offices import CustomsOffice
from services.accounts.passwords import check_password, hash_password
from services.desk.audit import AuditActor, record
from services.kit.context import ServiceContext

_USERNAME = re.compile(r"[A-Za-z0-9_.-]{3,50}")




def check_username(username: str) -> str:
    username = username.strip()
    if not _USERNAME.fullmatch(username):
        raise ValidationFailed("用户名为 3–50 位字母、数字或 _ . -", field="username")
    return username


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 50:
        raise ValidationFailed("请填写姓名（不超过 50 个字）", field="name")
    return name


async def create_customs_account(ctx: ServiceContext, *, username: str, name: str, office_code: str,
                                 role: CustomsRole, password: str, created_by: str) -> CustomsAccount:
    """A new active customs account of the office with ``office_code``."""
    username, name = check_username(username), check_name(name)
    check_password(password)
    async with in_transaction() as conn:
        office = await CustomsOffice.filter(code=office_code, active=True).using_db(conn).first()
        if office is None:
            raise ValidationFailed(f"海关代码 {office_code} 不存在，请先运行 qingling load-data", field="office")
        if await CustomsAccount.filter(username=username).using_db(conn).exists():
            raise ValidationFailed(f"用户名 {username} 已存在", field="username")
        account = await CustomsAccount.create(username=username, name=name, office=office, role=role,
                                              password_hash=hash_password(password), using_db=conn)
        await record(ctx, AuditActor.system(created_by), "customs_account.create", "customs_account", username,
                     detail={"role": role.value, "office": office.code}, conn=conn)
        return account
