"""The enterprise library (规范申报企业专属库 §5.2): an authorised member's view of the rows where its enterprise is
申报单位 or 收发货人 (the filter's role chooses), de-duplicated (a declared row customs audited is superseded),
keyset-paged, exported; 设为自选 and its undo, withdrawing and re-publishing a 规范 row — each a compare-and-set
on the row's version, audited.

The gate is the legal-person card's authorisation of the person for the module (services/cards); the
permission codes (``library:query``, ``library:export``) are decided on the route."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import aclosing
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from models.enterprises import Membership, Person
from models.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from models.library import LibraryMark, LibraryRow
from services.cards.authorisations import is_authorised
from services.desk.audit import AuditActor, record
from services.kit.context import ServiceContext
from services.kit.xlsx_writer import StreamedSheet
from services.library import labels as L
from services.library.customs_rows import EXPORT_COLUMNS, EXPORT_FIELDS, EXPORT_SHEET
from services.library.filters import LibraryFilter
from services.library.rows_sql import RowPage, Scope, count_of, every_row, page_of

MODULE = "declaration_library"  # the card-gated module (services.cards.authorisations.MODULES)
PAGE = 20
NOTE_MAX = 300


async def library_allowed(membership: Membership) -> bool:
    """Whether the legal person's card authorised this member for the library."""
    return await is_authorised(membership, MODULE)


async def access_library(membership: Membership) -> None:
    if not await library_allowed(membership):
        raise Forbidden(L.MSG_NOT_AUTHORISED)


async def member_of(person_id: int, enterprise_id: int) -> Membership:
    """The person's active membership of the enterprise (an export job's owner, checked again when it runs)."""
    membership = await Membership.filter(person_id=person_id, enterprise_id=enterprise_id, active=True).first()
    if membership is None:
        raise Forbidden(L.MSG_NOT_AUTHORISED)
    return membership


def enterprise_scope(enterprise_id: int, role: str) -> Scope:
    """The enterprise's own rows as 申报单位, as 收发货人 or either; never a superseded one."""
    party = {"declarant": "declarant_enterprise_id = ?", "consignee": "consignee_enterprise_id = ?"}
    roles = [role] if role else list(party)
    return Scope(("superseded = ?",), (False,), tuple((party[r], enterprise_id) for r in roles))


async def enterprise_rows(membership: Membership, flt: LibraryFilter, cursor: str = "", limit: int = PAGE) -> RowPage:
    await access_library(membership)
    return await page_of(enterprise_scope(membership.enterprise_id, flt.role), flt, cursor, limit)


async def access_row(membership: Membership, row_id: int, conn: Any = None) -> LibraryRow:
    """One row of the member's enterprise (NotFound for any other: no hint that it exists)."""
    await access_library(membership)
    enterprise = membership.enterprise_id
    row = await LibraryRow.filter(id=row_id, superseded=False).using_db(conn).select_related(
        "catalogue_version").first()
    if row is None or enterprise not in (row.declarant_enterprise_id, row.consignee_enterprise_id):
        raise NotFound(L.MSG_ROW_NOT_FOUND)
    return row


async def _change(ctx: ServiceContext, membership: Membership, row_id: int, version: int, allowed: LibraryMark,
                  refusal: str, action: str, ip: str | None, **changes: Any) -> LibraryRow:
    """The compare-and-set every enterprise change of a row goes through, with its audit entry."""
    async with in_transaction() as conn:
        row = await access_row(membership, row_id, conn)
        if row.version != version:  # read before someone else's change: refresh first, whatever it was
            raise Conflict(L.MSG_ROW_CHANGED)
        if row.mark is not allowed:
            raise IllegalTransition(refusal, field="mark")
        if await LibraryRow.filter(id=row_id, version=version).using_db(conn).update(
                version=version + 1, updated_at=ctx.now(), **changes) != 1:
            raise Conflict(L.MSG_ROW_CHANGED)
        person = await Person.filter(id=membership.person_id).using_db(conn).get()
        await record(ctx, AuditActor.person(person), action, "library_row", row_id, conn=conn, ip=ip,
                     detail={"enterprise_id": membership.enterprise_id, "entry_number": row.entry_number,
                             "item_number": row.item_number, **{k: getattr(v, "value", v) for k, v in changes.items()}})
    return await access_row(membership, row_id)


async def choose(ctx: ServiceContext, membership: Membership, row_id: int, version: int, note: str,
                 ip: str | None = None) -> LibraryRow:
    """设为自选: a 系统匹配 row becomes 企业自选, with the enterprise's note."""
    if len(note.strip()) > NOTE_MAX:
        raise ValidationFailed(L.MSG_NOTE_LONG, field="note")
    return await _change(ctx, membership, row_id, version, LibraryMark.MATCHED, L.MSG_CHOOSE_MATCHED_ONLY,
                         "library.choose", ip, mark=LibraryMark.CHOSEN, mark_note=note.strip())


async def unchoose(ctx: ServiceContext, membership: Membership, row_id: int, version: int,
                   ip: str | None = None) -> LibraryRow:
    """Undo 设为自选: back to 系统匹配, the note cleared."""
    return await _change(ctx, membership, row_id, version, LibraryMark.CHOSEN, L.MSG_UNCHOOSE_CHOSEN_ONLY,
                         "library.unchoose", ip, mark=LibraryMark.MATCHED, mark_note="")


async def set_public(ctx: ServiceContext, membership: Membership, row_id: int, version: int, public: bool,
                     ip: str | None = None) -> LibraryRow:
    """Withdraw a 规范 row from the public library, or publish it again."""
    return await _change(ctx, membership, row_id, version, LibraryMark.STANDARD, L.MSG_PUBLIC_STANDARD_ONLY,
                         "library.publish" if public else "library.withdraw", ip, public=public)


async def export_enterprise_rows(membership: Membership, flt: LibraryFilter, path: Path, ctx: ServiceContext,
                                 cursor: str | None = None, limit: int = PAGE,
                                 progress: Callable[[int, int], None] = lambda done, total: None) -> int:
    """The rows under ``flt`` to an .xlsx at ``path``: one page of ``limit`` rows (``cursor`` given, "" the first)
    or every row, read a keyset batch at a time as plain records into a streamed sheet (memory stays flat); the
    row count."""
    await access_library(membership)
    scope = enterprise_scope(membership.enterprise_id, flt.role)
    with StreamedSheet(path, EXPORT_SHEET, EXPORT_COLUMNS, ctx.tz) as sheet:
        if cursor is not None:
            for row in (await page_of(scope, flt, cursor, limit)).items:
                sheet.append(row)
        else:
            total = await count_of(scope, flt)
            progress(0, total)
            async with aclosing(every_row(scope, flt, EXPORT_FIELDS)) as batches:
                async for batch in batches:
                    for row in batch:
                        sheet.append(row)
                    progress(sheet.rows, total)
    return sheet.rows


async def count_enterprise_rows(membership: Membership, flt: LibraryFilter) -> int:
    await access_library(membership)
    return await count_of(enterprise_scope(membership.enterprise_id, flt.role), flt)
