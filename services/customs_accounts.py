"""Customs accounts: creation with a hashed password (argon2), written to the audit log."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from tortoise.transactions import in_transaction

from core.errors import ValidationFailed
from models.customs_accounts import CustomsAccount, CustomsRole
from models.offices import CustomsOffice
from services.audit import AuditActor, record
from services.context import ServiceContext

_hasher = PasswordHasher()
_USERNAME = re.compile(r"[A-Za-z0-9_.-]{3,50}")
PASSWORD_MIN = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise ValidationFailed(f"密码至少 {PASSWORD_MIN} 位", field="password")
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        raise ValidationFailed("密码须同时包含字母和数字", field="password")
    return password


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
