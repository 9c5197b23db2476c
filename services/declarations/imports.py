"""业务数据查询 → 导入: the template, the upload (kept once per enterprise and file hash: the same file uploaded
again creates nothing), and the job that checks and stores it.

One row per goods item; the head's columns repeated on every row of a declaration, rows of one declaration
grouped by 报关单序号 and contiguous (the file is streamed, never held). Each declaration is parsed by the form's
one parser and passed through every submission check (``services.declarations.checks``: code tables, HS
elements, units, totals …); its refusals are mapped back to their cells. A declaration with any bad row is not
created and all its rows go into the annotated workbook (bad cells highlighted, the reasons in the error column);
the good ones are created as drafts — all of them in one transaction for the whole file, so a failure or a
worker that dies mid-file stores nothing and the retried job starts again.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from core.db import connection, dialect
from models.declaration_lifecycle import DeclarationAction, DeclarationState, DeclarationStatus, decide
from models.declarations import (
    Declaration,
    DeclarationEvent,
    DeclarationImport,
    DeclarationItem,
    DeclarationKind,
    ImportStatus,
)
from models.departments import DepartmentMember
from models.enterprises import Membership
from models.errors import Forbidden, NotFound, ValidationFailed
from services.declarations import labels as L
from services.declarations.checks import check_submission, load_catalogue_for
from services.declarations.entry import actor_of
from services.declarations.fields import HEAD_FIELDS, ITEM_FIELDS, DeclarationForm, FieldSpec, Kind, parse_form
from services.declarations.store import head_columns, part_rows, system_number
from services.jobs.runs import enqueue
from services.kit.actors import PersonActor
from services.kit.context import ServiceContext
from services.kit.excel import AnnotatedSheet, CellError, clean_text, sheet_lines
from services.workspace.company import kind_enabled
from services.workspace.permissions import compute
from services.workspace.roles import Member

DECLARATION_IMPORT = "declaration_import"  # the job kind
MAX_BYTES = 20 * 1024 * 1024
CHUNK = 500  # declarations checked against one catalogue load
REPORT_SHEET = "错误报告"
_ZIP = b"PK\x03\x04"
KIND_BY_LABEL = {kind.label: kind for kind in DeclarationKind}


@dataclass(frozen=True)
class ImportColumn:
    header: str
    part: str  # "group", "kind", "head" or "items"
    spec: FieldSpec | None = None


COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn(L.IMPORT_GROUP, "group"), ImportColumn(L.IMPORT_KIND, "kind"),
    *(ImportColumn(spec.label, "head", spec) for spec in HEAD_FIELDS),
    *(ImportColumn(spec.label, "items", spec) for spec in ITEM_FIELDS),
)
HEADERS = tuple(column.header for column in COLUMNS)
assert len(set(HEADERS)) == len(HEADERS), "the template's headers name their columns"
HEAD_HEADER = {spec.key: spec.label for spec in HEAD_FIELDS}
ITEM_HEADER = {spec.key: spec.label for spec in ITEM_FIELDS}


async def member_for(person_id: int, enterprise_id: int, now: datetime) -> Member:
    """The person's member of the enterprise as a job sees it: the decision computed now (Forbidden when they
    left)."""
    membership = await Membership.filter(person_id=person_id, enterprise_id=enterprise_id, active=True) \
        .using_db(connection()).select_related("person", "enterprise").first()
    if membership is None:
        raise Forbidden(L.MSG_IMPORT_NOT_FOUND)
    return Member(membership, await compute(membership, now))


def check_file(data: bytes) -> None:
    """What makes a file unreadable, beside the file field: size, format, the template's headers."""
    if not data:
        raise ValidationFailed(L.MSG_IMPORT_FILE_EMPTY, field="file")
    if len(data) > MAX_BYTES:
        raise ValidationFailed(L.MSG_IMPORT_FILE_TOO_LARGE, field="file")
    if not data.startswith(_ZIP):
        raise ValidationFailed(L.MSG_IMPORT_NOT_XLSX, field="file")
    try:
        _, lines = sheet_lines(data)
        header = next((line for number, line in lines if number == 1), [])
    except ValueError:
        raise ValidationFailed(L.MSG_IMPORT_NOT_XLSX, field="file") from None
    missing = [h for h in HEADERS if h not in {str(c).strip() for c in header}]
    if missing:
        raise ValidationFailed(L.MSG_IMPORT_HEADERS.format(columns="、".join(missing[:8])), field="file")


async def start_import(ctx: ServiceContext, member: Member, filename: str, data: bytes,
                       folder: Path) -> tuple[DeclarationImport, bool]:
    """Keep the file and queue its check; the import and whether it is new (False: this enterprise imported the
    same file before — nothing is queued; a failed one is queued again)."""
    member.decision.require(L.IMPORT)
    decide(DeclarationState(None), DeclarationAction.CREATE, actor_of(member))
    check_file(data)
    digest = hashlib.sha256(data).hexdigest()
    async with in_transaction() as conn:
        found = await DeclarationImport.filter(enterprise_id=member.enterprise_id, file_hash=digest) \
            .using_db(conn).select_for_update().first()
        if found is not None and found.status is not ImportStatus.FAILED:
            return found, False
        folder.mkdir(parents=True, exist_ok=True)
        stored = f"declaration-import-{secrets.token_urlsafe(9)}.xlsx"
        (folder / stored).write_bytes(data)
        fields = {"person_id": member.membership.person_id, "filename": filename[:255], "stored_path": stored,
                  "status": ImportStatus.QUEUED, "created_at": ctx.now(), "error": "", "finished_at": None}
        if found is None:
            found = await DeclarationImport.create(enterprise_id=member.enterprise_id, file_hash=digest, **fields,
                                                   using_db=conn)
        else:
            await DeclarationImport.filter(id=found.id).using_db(conn).update(**fields)
        job = await enqueue(ctx, PersonActor(member.membership.person_id), DECLARATION_IMPORT,
                            {"import_id": found.id, "enterprise_id": member.enterprise_id})
        await DeclarationImport.filter(id=found.id).using_db(conn).update(job_id=job.id)
    return await DeclarationImport.get(id=found.id), True


def _text(value: Any) -> str:
    """A cell as the form's parser takes it: typed text (a whole number without ".0", a date as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return clean_text(str(value)).strip()


@dataclass
class _Group:
    """The rows of one declaration (contiguous in the file)."""

    key: str
    lines: list[tuple[int, list[Any]]] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    kind: DeclarationKind | None = None
    form: DeclarationForm | None = None
    field_errors: dict[str, str] = field(default_factory=dict)  # by field path, before the checks


class _Reader:
    """The file's rows as declarations: header → column places, rows → groups, each parsed into its form."""

    def __init__(self, header: list[Any]) -> None:
        names = [str(h).strip() for h in header]
        self.place = {column.header: names.index(column.header) for column in COLUMNS}
        self.headers = names
        self.seen: dict[str, int] = {}  # 报关单序号 -> the first row it was on

    def cell(self, line: list[Any], header: str) -> str:
        index = self.place[header]
        return _text(line[index]) if index < len(line) else ""

    def value(self, line: list[Any], spec: FieldSpec) -> str:
        """A field's text; a code chosen from the drop-down list ("0110 一般贸易") is its code."""
        text = self.cell(line, spec.label)
        return text.split(" ", 1)[0] if spec.kind is Kind.CODE else text

    def groups(self, lines: Iterator[tuple[int, list[Any]]]) -> Iterator[_Group]:
        current: _Group | None = None
        for number, line in lines:
            if number == 1 or all(c in ("", None) for c in line):
                continue
            key = self.cell(line, L.IMPORT_GROUP)
            if current is None or key != current.key:
                if current is not None:
                    yield current
                current = _Group(key)
                if key in self.seen:
                    current.errors.append(CellError(number, L.IMPORT_GROUP, L.MSG_GROUP_SPLIT.format(
                        group=key, row=self.seen[key])))
                elif not key:
                    current.errors.append(CellError(number, L.IMPORT_GROUP, L.MSG_REQUIRED.format(
                        label=L.IMPORT_GROUP)))
                self.seen.setdefault(key, number)
            current.lines.append((number, line))
        if current is not None:
            yield current

    def parse(self, group: _Group) -> None:
        """The group's kind and form (or its cell errors)."""
        first_number, first = group.lines[0]
        label = self.cell(first, L.IMPORT_KIND)
        group.kind = KIND_BY_LABEL.get(label)
        if group.kind is None:
            group.errors.append(CellError(first_number, L.IMPORT_KIND, L.MSG_UNKNOWN_KIND))
        head = {spec.key: self.value(first, spec) for spec in HEAD_FIELDS}
        for number, line in group.lines[1:]:
            for spec in HEAD_FIELDS:
                if self.value(line, spec) != head[spec.key]:
                    group.errors.append(CellError(number, spec.label, L.MSG_HEAD_DIFFERS.format(row=first_number)))
        items = [{spec.key: self.value(line, spec) for spec in ITEM_FIELDS} for _, line in group.lines]
        try:
            group.form = parse_form(head, {"items": items})
        except ValidationFailed as refused:
            # the cells that cannot be read are reported; the rest is still checked, with those cells blank
            group.field_errors = refused.errors
            for path in refused.errors:
                index, _, key = path[6:].partition("].") if path.startswith("items[") else ("", "", path)
                (items[int(index)] if index.isdigit() and int(index) < len(items) else head)[key] = ""
            try:
                group.form = parse_form(head, {"items": items})
            except ValidationFailed:
                group.form = None

    def cell_errors(self, group: _Group, errors: dict[str, str]) -> None:
        """Errors keyed by field path (``trade_mode``, ``items[2].quantity``) as the cells they name."""
        first_number = group.lines[0][0]
        for path, reason in errors.items():
            if path.startswith("items[") and "]." in path:
                index, key = path[6:].split("].", 1)
                number = group.lines[int(index)][0] if int(index) < len(group.lines) else first_number
                group.errors.append(CellError(number, ITEM_HEADER.get(key, ""), reason))
            else:
                group.errors.append(CellError(first_number, HEAD_HEADER.get(path, ""), reason))


@dataclass
class _Run:
    record: DeclarationImport
    member: Member
    reader: _Reader
    department_id: int | None
    enabled: dict[DeclarationKind, bool]
    annotated: AnnotatedSheet | None = None
    errors: list[CellError] = field(default_factory=list)
    created: int = 0
    rejected: int = 0
    rows: int = 0
    rows_rejected: int = 0


async def run_import(ctx: ServiceContext, import_id: int, folder: Path, error_path: Path,
                     progress: Callable[[int, int], None] = lambda done, total: None) -> DeclarationImport:
    """Check every declaration of the import's file, create the good ones as drafts, write the refused ones'
    rows to ``error_path``."""
    record = await DeclarationImport.get(id=import_id)
    if record.status is ImportStatus.DONE:  # a retried job after the commit
        return record
    member = await member_for(record.person_id, record.enterprise_id, ctx.now())
    member.decision.require(L.IMPORT)
    await DeclarationImport.filter(id=record.id).update(status=ImportStatus.RUNNING)
    try:
        height, lines = sheet_lines(folder / record.stored_path)
        header = next((line for number, line in lines if number == 1), [])
    except (ValueError, StopIteration):
        raise ValidationFailed(L.MSG_IMPORT_NOT_XLSX) from None
    if any(h not in {str(c).strip() for c in header} for h in HEADERS):
        raise ValidationFailed(L.MSG_IMPORT_HEADERS.format(columns="…"))
    primary = await DepartmentMember.filter(person_id=record.person_id, enterprise_id=record.enterprise_id,
                                            primary=True).first()
    enabled = {kind: await kind_enabled(record.enterprise_id, kind.value, connection()) for kind in DeclarationKind}
    run = _Run(record, member, _Reader(header), primary.department_id if primary else None, enabled)
    total = max(height - 1, 0)
    async with in_transaction() as conn:  # the whole file or nothing
        chunk: list[_Group] = []
        for group in run.reader.groups(lines):
            chunk.append(group)
            if len(chunk) >= CHUNK:
                await _settle(ctx, run, chunk, conn)
                progress(run.rows, total)
                chunk = []
        await _settle(ctx, run, chunk, conn)
        await DeclarationImport.filter(id=record.id).using_db(conn).update(
            status=ImportStatus.DONE, rows_total=run.rows, rows_rejected=run.rows_rejected,
            declarations_created=run.created, declarations_rejected=run.rejected, errors=len(run.errors),
            error_path=error_path.name if run.rejected else "", finished_at=ctx.now())
    _finish(run, folder, error_path)
    return await DeclarationImport.get(id=record.id)


async def _settle(ctx: ServiceContext, run: _Run, chunk: list[_Group], conn: BaseDBAsyncClient) -> None:
    """Check a chunk of declarations against one catalogue load; store the good, annotate the refused."""
    for group in chunk:
        run.reader.parse(group)
        if group.kind is not None and not run.enabled[group.kind]:
            group.errors.append(CellError(group.lines[0][0], L.IMPORT_KIND,
                                          L.MSG_KIND_OFF.format(kind=group.kind.label)))
    forms = [g.form for g in chunk if g.form is not None]
    catalogue = await load_catalogue_for(forms, ctx.now().astimezone(ctx.tz).date(), conn) if forms else None
    good = []
    for group in chunk:
        checked = check_submission(group.kind, group.form, catalogue) \
            if group.form is not None and group.kind is not None and catalogue is not None else {}
        run.reader.cell_errors(group, {**checked, **group.field_errors})
        run.rows += len(group.lines)
        if group.errors:
            _refuse(run, group)
        else:
            good.append(group)
    await _store(ctx, run, good, conn)


def _refuse(run: _Run, group: _Group) -> None:
    run.rejected += 1
    run.rows_rejected += len(group.lines)
    run.errors.extend(group.errors)
    run.annotated = run.annotated or AnnotatedSheet(run.reader.headers, L.IMPORT_ERROR_COLUMN)
    by_row: dict[int, list[CellError]] = {}
    for error in group.errors:
        by_row.setdefault(error.row, []).append(error)
    for number, line in group.lines:
        run.annotated.append(number, line, by_row.get(number) or [CellError(number, "", L.MSG_OTHER_ROW_BAD)])


async def _new_ids(conn: BaseDBAsyncClient, count: int) -> list[int]:
    """``count`` ids for new declarations, taken in this transaction (PostgreSQL: from the table's sequence;
    SQLite serialises writers, so the next ones after the largest)."""
    if dialect(conn) == "postgres":
        rows = await conn.execute_query_dict(
            "SELECT nextval(pg_get_serial_sequence('declaration', 'id')) AS id FROM generate_series(1, $1)", [count])
        return [int(r["id"]) for r in rows]
    rows = await conn.execute_query_dict("SELECT COALESCE(MAX(id), 0) AS id FROM declaration")
    start = int(rows[0]["id"]) + 1
    return list(range(start, start + count))


async def _store(ctx: ServiceContext, run: _Run, good: list[_Group], conn: BaseDBAsyncClient) -> None:
    if not good:
        return
    now, person_id = ctx.now(), run.record.person_id
    note = L.MSG_IMPORT_NOTE.format(filename=run.record.filename)
    heads, items, events = [], [], []
    for declaration_id, group in zip(await _new_ids(conn, len(good)), good, strict=True):
        assert group.form is not None and group.kind is not None
        heads.append(Declaration(
            id=declaration_id, enterprise_id=run.record.enterprise_id, owner_id=person_id, kind=group.kind,
            status=DeclarationStatus.DRAFT, department_id=run.department_id,
            number=system_number(now, declaration_id), created_at=now, updated_at=now, **head_columns(group.form)))
        items.extend(part_rows(declaration_id, group.form)["items"])
        events.append(DeclarationEvent(declaration_id=declaration_id, action=DeclarationAction.CREATE,
                                       from_status=None, to_status=DeclarationStatus.DRAFT, person_id=person_id,
                                       note=note, at=now))
    await Declaration.bulk_create(heads, using_db=conn)
    await DeclarationItem.bulk_create(items, batch_size=1000, using_db=conn)
    await DeclarationEvent.bulk_create(events, using_db=conn)
    run.created += len(good)


def _finish(run: _Run, folder: Path, error_path: Path) -> None:
    """After the commit: the annotated workbook of the refused declarations' rows (with a sheet listing every
    error); the uploaded file goes."""
    if run.annotated is not None:
        report = run.annotated.workbook.create_sheet(REPORT_SHEET)
        report.append(["行号", "列", "原因"])
        for error in run.errors:
            report.append([error.row, error.column, error.reason])
        run.annotated.save(error_path)
    (folder / run.record.stored_path).unlink(missing_ok=True)


async def fail_import(ctx: ServiceContext, import_id: int, reason: str) -> None:
    await DeclarationImport.filter(id=import_id).update(status=ImportStatus.FAILED, error=reason[:500],
                                                        finished_at=ctx.now())


async def access_import(member: Member, import_id: int) -> DeclarationImport:
    """One of the enterprise's imports, uploaded by the member (NotFound for any other)."""
    member.decision.require(L.IMPORT)
    found = await DeclarationImport.filter(id=import_id, enterprise_id=member.enterprise_id,
                                           person_id=member.membership.person_id).using_db(connection()) \
        .prefetch_related("job").first()
    if found is None:
        raise NotFound(L.MSG_IMPORT_NOT_FOUND)
    return found


async def list_imports(member: Member, limit: int = 10) -> list[DeclarationImport]:
    """The member's latest imports in the enterprise, newest first."""
    member.decision.require(L.IMPORT)
    return await DeclarationImport.filter(enterprise_id=member.enterprise_id,
                                          person_id=member.membership.person_id).using_db(connection()) \
        .order_by("-id").limit(limit).prefetch_related("job")


async def error_workbook(member: Member, import_id: int, folder: Path) -> tuple[Path, str] | None:
    """The annotated workbook of an import's refused rows and its download name; None when there is none."""
    found = await access_import(member, import_id)
    if not found.error_path or not (folder / found.error_path).exists():
        return None
    return folder / found.error_path, f"错误数据-{Path(found.filename).stem}.xlsx"


def same_file_message(record: DeclarationImport, ctx: ServiceContext) -> str:
    return L.MSG_IMPORT_SAME_FILE.format(at=record.created_at.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M"))

