"""表单设置: the declaration-entry preferences of a person in an enterprise, the enterprise's defaults (its admin's),
and ``effective_preferences`` — what the declarations module honours when it opens an entry form.

A person's change, "恢复企业默认" (the person's choices dropped) and a change of the enterprise's defaults are each
one transaction with an audit entry holding before / after.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.db import connection
from models.errors import ValidationFailed
from models.offices import CustomsOffice, OfficeKind
from models.personal import CompanyFormDefaults, PersonFormPreferences
from services.desk.audit import record
from services.kit.context import ServiceContext
from services.personal.labels import MSG_OFFICE_UNKNOWN
from services.personal.preference_rules import Effective, office_keys, parse_values, resolve
from services.workspace.roles import Member

COMPANY_EDIT = "system:company:edit"  # the enterprise's defaults: whoever may change 企业设置
Stored = TypeVar("Stored", PersonFormPreferences, CompanyFormDefaults)


@dataclass(frozen=True)
class PreferencesView:
    """The person's own choices, the enterprise's defaults, what is in force, and the office names shown."""

    mine: dict[str, Any]
    company: dict[str, Any]
    effective: dict[str, Effective]
    office_names: dict[str, str]
    can_edit_company: bool


async def _stored(person_id: int, enterprise_id: int, conn: BaseDBAsyncClient) -> tuple[dict[str, Any],
                                                                                          dict[str, Any]]:
    mine = await PersonFormPreferences.filter(person_id=person_id, enterprise_id=enterprise_id).using_db(conn).first()
    company = await CompanyFormDefaults.filter(enterprise_id=enterprise_id).using_db(conn).first()
    return (dict(mine.values) if mine else {}), (dict(company.values) if company else {})


async def effective_preferences(person_id: int, enterprise_id: int) -> dict[str, Effective]:
    """The settings in force for ``person_id`` preparing declarations for ``enterprise_id``: the person's own
    choice, else the enterprise's default, else the system's."""
    return resolve(*await _stored(person_id, enterprise_id, connection()))


async def preferences_of(member: Member) -> PreferencesView:
    mine, company = await _stored(member.membership.person_id, member.enterprise_id, connection())
    codes = {str(v) for v in [*office_keys(mine).values(), *office_keys(company).values()]}
    offices = await CustomsOffice.filter(code__in=codes).using_db(connection()).values_list("code", "name")
    return PreferencesView(mine, company, resolve(mine, company), dict(offices),
                           member.decision.allows(COMPANY_EDIT))


async def _checked(raw: Mapping[str, Any], conn: BaseDBAsyncClient) -> dict[str, Any]:
    """The chosen values, every office code looked up in the office table (直属 or 隶属海关, active)."""
    values, errors = parse_values(raw)
    offices = office_keys(values)
    known: set[str] = {str(code) for code in await CustomsOffice.filter(
        code__in=set(offices.values()), kind__in=(OfficeKind.DIRECT, OfficeKind.SUBORDINATE), active=True,
    ).using_db(conn).values_list("code", flat=True)}
    errors |= {key: MSG_OFFICE_UNKNOWN.format(code=code) for key, code in offices.items() if code not in known}
    if errors:
        raise ValidationFailed.of(errors)
    return values


async def _replace(ctx: ServiceContext, conn: BaseDBAsyncClient, model: type[Stored], values: dict[str, Any],
                   **key: int) -> dict[str, Any]:
    """Replace the values of the row ``key`` (created on first change; locked for the transaction) and answer the
    values it had."""
    with contextlib.suppress(IntegrityError):  # created by a concurrent request
        await model.get_or_create(defaults={"updated_at": ctx.now()}, using_db=conn, **key)
    found = await model.filter(**key).using_db(conn).select_for_update().get()
    await model.filter(id=found.id).using_db(conn).update(values=values, updated_at=ctx.now())
    return dict(found.values)


async def save_mine(ctx: ServiceContext, member: Member, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Replace the person's own choices in this enterprise (a setting left empty follows the enterprise)."""
    async with in_transaction() as conn:
        values = await _checked(raw, conn)
        before = await _replace(ctx, conn, PersonFormPreferences, values, person_id=member.membership.person_id,
                                enterprise_id=member.enterprise_id)
        await _audit(ctx, member, "personal.preferences", conn, before, values)
    return values


async def reset_mine(ctx: ServiceContext, member: Member) -> None:
    """恢复企业默认: drop the person's own choices in this enterprise."""
    async with in_transaction() as conn:
        rows = PersonFormPreferences.filter(person_id=member.membership.person_id, enterprise_id=member.enterprise_id)
        found = await rows.using_db(conn).select_for_update().first()
        if found is None:
            return
        await rows.using_db(conn).delete()
        await _audit(ctx, member, "personal.preferences_reset", conn, dict(found.values), {})


async def save_company_defaults(ctx: ServiceContext, member: Member, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Replace the enterprise's defaults; its admin only (the decision's ``system:company:edit``)."""
    member.decision.require(COMPANY_EDIT)
    async with in_transaction() as conn:
        values = await _checked(raw, conn)
        before = await _replace(ctx, conn, CompanyFormDefaults, values, enterprise_id=member.enterprise_id)
        await _audit(ctx, member, "company.form_defaults", conn, before, values, company=True)
    return values


async def _audit(ctx: ServiceContext, member: Member, action: str, conn: BaseDBAsyncClient,
                 before: dict[str, Any], after: dict[str, Any], *, company: bool = False) -> None:
    kind, key = ("company_form_defaults", member.enterprise_id) if company else (
        "person_form_preferences", member.membership.person_id)
    await record(ctx, member.audit_actor(), action, kind, key,
                 detail={"enterprise_id": member.enterprise_id, "before": before, "after": after}, conn=conn)
