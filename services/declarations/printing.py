"""打印报关单 / 打印通知书 (seed 004 业务数据查询): a stored declaration as a PDF laid out like the official forms.

- 报关单: 中华人民共和国海关出口货物报关单 (出境货物备案清单 for the 备案清单 kinds) in the 2018 format — the head
  grid box by box in the official order, the goods table (three lines an item: names and 规格型号, the legal and
  declared quantities, 单价 / 总价 / 币制), the confirmations line, 报关人员 / 申报单位 and 海关批注及签章.
- 通知书: the manual's 打印通知书 in 业务数据查询, where a declaration is followed after it was declared, is the
  海关's 放行通知书 (release notice): only a declaration released (放行) or cleared (结关) has one.

The printing person's 报关员章 (个人中心) is a semi-transparent watermark on every page, and the enterprise seal
(企业设置) stands in the 申报单位 box; either missing, the PDF still prints with a small note saying so. Access as
every read of a declaration (the enterprise and the member's data scope: another's id is NotFound); the
permission is ``query:print``. Each print is audited (``declaration.print`` / ``declaration.print_notice``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from tortoise.transactions import in_transaction

from adapters.file_storage import FileStorage
from adapters.pdf import html_to_pdf
from core.db import connection
from models.company import CompanySettings
from models.declaration_lifecycle import DeclarationAction, DeclarationStatus
from models.declarations import Declaration, DeclarationEvent
from models.enterprises import Enterprise, Person
from models.errors import Conflict, NotFound
from models.personal import PersonalProfile
from services.declarations import labels as L
from services.declarations.codes import code_names
from services.declarations.entry import access_declaration
from services.declarations.fields import FEE_MARKS, HEAD_FIELDS, PARTS, DeclarationForm, as_text
from services.declarations.store import read_form
from services.desk.audit import record
from services.kit.context import ServiceContext
from services.workspace.roles import Member

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "print"), autoescape=select_autoescape(),
                        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
RELEASED = frozenset({DeclarationStatus.RELEASED, DeclarationStatus.CLEARED})
RATE_MARK = FEE_MARKS[0][0]


class PrintDocument(StrEnum):
    DECLARATION = "declaration"
    NOTICE = "notice"

    @property
    def label(self) -> str:
        return L.PRINT_DOCUMENTS[self.value]

    @property
    def audit_action(self) -> str:
        return "declaration.print" if self is PrintDocument.DECLARATION else "declaration.print_notice"


@dataclass(frozen=True)
class PrintedPdf:
    filename: str
    data: bytes
    stamped: bool  # the printing person's 报关员章 is the watermark
    sealed: bool  # the enterprise seal is in the 申报单位 box


@dataclass(frozen=True)
class Sheet:
    """Everything a layout shows, read before rendering (the templates do no I/O)."""

    declaration: Declaration
    form: DeclarationForm
    names: dict[str, str]  # "table:code" -> name
    enterprise: Enterprise
    printer: Person
    declared_on: date | None
    released_on: date | None
    stamp: str  # a data: URI, or "" when the person has none
    seal: str
    printed_at: datetime


def _data_uri(content: bytes | None) -> str:
    return "data:image/png;base64," + base64.b64encode(content).decode() if content else ""


async def _image(storage: FileStorage, stored: dict[str, Any] | None) -> bytes | None:
    """A stored PNG's bytes; a file gone from the disk prints as missing, never as an error."""
    if not stored:
        return None
    try:
        return await storage.read(stored["key"])
    except NotFound:
        return None


async def _first_at(declaration_id: int, actions: tuple[DeclarationAction, ...], ctx: ServiceContext) -> date | None:
    event = await DeclarationEvent.filter(declaration_id=declaration_id, action__in=actions) \
        .using_db(connection()).order_by("-id").first()
    return event.at.astimezone(ctx.tz).date() if event else None


def _code_fields(form: DeclarationForm) -> list[tuple[str, str]]:
    rows = [(HEAD_FIELDS, form.head)] + [(specs, row) for name, specs in PARTS.items() for row in form.part(name)]
    return [(spec.table, str(values.get(spec.key) or "")) for specs, values in rows for spec in specs if spec.table]


async def read_sheet(ctx: ServiceContext, member: Member, storage: FileStorage, declaration_id: int,
                     document: PrintDocument) -> Sheet:
    """The declaration as the member may print it (``query:print``, their enterprise and data scope)."""
    member.decision.require(L.PRINT)
    conn = connection()
    found = await access_declaration(member, declaration_id, conn)
    if document is PrintDocument.NOTICE and found.status not in RELEASED:
        raise Conflict(L.MSG_NOT_RELEASED)
    form = await read_form(conn, found)
    person_id = member.membership.person_id
    profile = await PersonalProfile.filter(person_id=person_id).using_db(conn).first()
    settings = await CompanySettings.filter(enterprise_id=member.enterprise_id).using_db(conn).first()
    return Sheet(
        declaration=found, form=form, names=await code_names(_code_fields(form)),
        enterprise=await Enterprise.filter(id=member.enterprise_id).using_db(conn).get(),
        printer=await Person.filter(id=person_id).using_db(conn).get(),
        declared_on=await _first_at(found.id, (DeclarationAction.DECLARE,), ctx),
        released_on=await _first_at(found.id, (DeclarationAction.RECEIPT_RELEASED,), ctx),
        stamp=_data_uri(await _image(storage, profile.stamp if profile else None)),
        seal=_data_uri(await _image(storage, settings.seal if settings else None)),
        printed_at=ctx.now().astimezone(ctx.tz))


def _fee(head: dict[str, Any], key: str) -> str:
    """运费 / 保费 / 杂费 as the form prints them: a rate as ``5/1``, an amount as ``USD/1200/3``."""
    mark, rate, currency = head.get(f"{key}_mark"), head.get(f"{key}_rate"), head.get(f"{key}_curr")
    if rate is None:
        return ""
    if mark == RATE_MARK or not currency:
        return f"{as_text(rate)}/{mark or ''}"
    return f"{currency}/{as_text(rate)}/{mark or ''}"


def render_html(sheet: Sheet, document: PrintDocument) -> str:
    """The layout's HTML (pure: what ``read_sheet`` read, nothing else)."""
    names = sheet.names

    def named(table: str, code: Any) -> str:
        text = as_text(code)
        name = names.get(f"{table}:{text}", "")
        return f"{name}({text})" if name and text else text

    def unit(code: Any) -> str:
        return names.get(f"unit:{code}", as_text(code))

    template = TEMPLATES.get_template(f"{document.value}.html")
    return template.render(
        s=sheet, d=sheet.declaration, head=sheet.form.head, items=sheet.form.items,
        containers=sheet.form.containers, documents=sheet.form.documents, named=named, unit=unit, text=as_text,
        fee=lambda key: _fee(sheet.form.head, key), L=L, title=L.PRINT_TITLES[sheet.declaration.kind.value],
        no_stamp=L.NOTE_NO_STAMP.format(name=sheet.printer.name), office=names.get(
            f"customs_office:{sheet.form.head.get('declare_office') or ''}", ""))


async def print_declaration(ctx: ServiceContext, member: Member, storage: FileStorage, declaration_id: int,
                            document: PrintDocument) -> PrintedPdf:
    """The PDF of the declaration or its release notice, and the print audited."""
    sheet = await read_sheet(ctx, member, storage, declaration_id, document)
    data = await html_to_pdf(render_html(sheet, document))
    found = sheet.declaration
    async with in_transaction() as conn:
        await record(ctx, member.audit_actor(), document.audit_action, "declaration", found.id, conn=conn,
                     detail={"enterprise_id": found.enterprise_id, "number": found.number,
                             "document": document.label, "stamp": bool(sheet.stamp), "seal": bool(sheet.seal)})
    return PrintedPdf(L.PRINT_FILES[document.value].format(number=found.number), data, bool(sheet.stamp),
                      bool(sheet.seal))
