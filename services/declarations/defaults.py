"""What a new declaration form starts with: the person's form preferences (表单设置) in force — default offices,
监管方式, 币制, 原产国, 自动带出上次录入 — the enterprise as 境内发货人, and the switches the page honours (回车跳到
下一字段, 代码自动转大写, 提交前确认)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.db import connection
from models.declarations import Declaration
from models.enterprises import Enterprise
from services.declarations.fields import HEAD_FIELDS, DeclarationForm, Values
from services.declarations.store import read_form
from services.personal.preferences import effective_preferences
from services.workspace.roles import Member

# preference key -> the form field it fills
HEAD_PREFERENCES = {"declare_office": "declare_office", "port_office": "ie_port", "trade_mode": "trade_mode"}
ITEM_PREFERENCES = {"currency": "currency", "origin_country": "origin_country"}


@dataclass(frozen=True)
class EntryDefaults:
    head: Values
    item: Values
    enter_moves_next: bool
    auto_uppercase: bool
    confirm_submit: bool

    def new_form(self) -> DeclarationForm:
        """The form of a new declaration: the defaults, and one empty item carrying the item defaults."""
        return DeclarationForm(dict(self.head), [dict(self.item)])


async def entry_defaults(member: Member) -> EntryDefaults:
    person_id, enterprise_id = member.membership.person_id, member.enterprise_id
    prefs = await effective_preferences(person_id, enterprise_id)
    enterprise = await Enterprise.filter(id=enterprise_id).using_db(connection()).get()
    head: dict[str, Any] = {spec.key: None if spec.kind.value in ("decimal", "integer", "date") else ""
                            for spec in HEAD_FIELDS}
    if prefs["remember_last"].value is True:
        last = await Declaration.filter(enterprise_id=enterprise_id, owner_id=person_id).using_db(connection()) \
            .order_by("-id").first()
        if last is not None:
            head.update((await read_form(connection(), last)).head)
    head["trade_code"] = head["trade_code"] or enterprise.credit_code
    head["trade_name"] = head["trade_name"] or enterprise.name
    head.update({field: prefs[key].value for key, field in HEAD_PREFERENCES.items() if prefs[key].value})
    item = {field: prefs[key].value for key, field in ITEM_PREFERENCES.items() if prefs[key].value}
    return EntryDefaults(head, item, prefs["enter_moves_next"].value is True, prefs["auto_uppercase"].value is True,
                         prefs["confirm_declare"].value is True)
