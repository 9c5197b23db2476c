"""The import file's rows as declarations: the template's columns, rows grouped by 报关单序号, each group's kind
and typed form, and refusals keyed by field path mapped back to their cells.

Typing follows the form's one parser (``fields.typed_value``, ``fields.spec_elements``; a refused cell is blank
in the form, as ``parse_form`` leaves it), decided per column rather than per cell: each column reads its cells
through a memo of the distinct cell values it has seen (codes, units, countries repeat on every row), and the
head is typed once per declaration — the other rows' head cells are only compared with the first row's (the
field-by-field comparison only when they differ).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from operator import itemgetter
from typing import Any

from models.declarations import DeclarationKind
from services.declarations import labels as L
from services.declarations.fields import (
    HEAD_FIELDS,
    ITEM_FIELDS,
    MAX_ROWS,
    DeclarationForm,
    FieldSpec,
    Kind,
    Values,
    path,
    spec_elements,
    typed_value,
)
from services.kit.excel import CellError, clean_text

KIND_BY_LABEL = {kind.label: kind for kind in DeclarationKind}
MEMO = 4096  # distinct cell values remembered per column


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


def cell_text(value: Any) -> str:
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


class _Field:
    """One field's column: a cell → (its text, its typed value, the reason it cannot be stored or "")."""

    __slots__ = ("blank", "index", "key", "memo", "spec")

    def __init__(self, spec: FieldSpec, index: int) -> None:
        self.spec, self.key, self.index = spec, spec.key, index
        self.blank = typed_value(spec, "")  # a refused cell is left blank in the form
        self.memo: dict[tuple[type, Any], tuple[str, Any, str]] = {}

    def read(self, line: list[Any]) -> tuple[str, Any, str]:
        raw = line[self.index] if self.index < len(line) else ""
        return self.memo.get((raw.__class__, raw)) or self.cell(raw)

    def cell(self, raw: Any) -> tuple[str, Any, str]:
        key = (raw.__class__, raw)
        found = self.memo.get(key)
        if found is None:
            text = cell_text(raw)
            if self.spec.kind is Kind.CODE:  # a code chosen from the drop-down list ("0110 一般贸易") is its code
                text = text.split(" ", 1)[0]
            try:
                found = (text, typed_value(self.spec, text), "")
            except ValueError as refused:
                found = (text, self.blank, str(refused))
            if len(self.memo) < MEMO:
                self.memo[key] = found
        return found


@dataclass
class Group:
    """The rows of one declaration (contiguous in the file)."""

    key: str
    lines: list[tuple[int, list[Any]]] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    kind: DeclarationKind | None = None
    form: DeclarationForm | None = None
    field_errors: dict[str, str] = field(default_factory=dict)  # by field path, before the checks


class RowReader:
    """The file's rows as declarations: header → column places, rows → groups, each parsed into its form."""

    def __init__(self, header: list[Any]) -> None:
        names = [str(h).strip() for h in header]
        self.headers = names
        self.group_at, self.kind_at = names.index(L.IMPORT_GROUP), names.index(L.IMPORT_KIND)
        self.head = [_Field(spec, names.index(spec.label)) for spec in HEAD_FIELDS]
        self.items = [_Field(spec, names.index(spec.label)) for spec in ITEM_FIELDS]
        self.head_places = [f.index for f in self.head]
        self.item_places = [f.index for f in self.items]
        self.head_cells, self.item_cells = itemgetter(*self.head_places), itemgetter(*self.item_places)
        self.elements: dict[str, tuple[list[str], str]] = {}
        self.seen: dict[str, int] = {}  # 报关单序号 -> the first row it was on

    def groups(self, lines: Iterator[tuple[int, list[Any]]]) -> Iterator[Group]:
        current: Group | None = None
        at, last = self.group_at, None
        for number, line in lines:
            if number == 1 or not any(line) and all(c in ("", None) for c in line):
                continue
            raw = line[at] if at < len(line) else ""
            if current is not None and raw.__class__ is last.__class__ and raw == last:
                current.lines.append((number, line))  # the same cell as the row before: the same declaration
                continue
            last, key = raw, cell_text(raw)
            if current is None or key != current.key:
                if current is not None:
                    yield current
                current = Group(key)
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

    @staticmethod
    def _cells(get: itemgetter[Any], places: list[int], line: list[Any]) -> tuple[Any, ...]:
        try:
            cells: tuple[Any, ...] = get(line)
        except IndexError:  # a short row: its missing cells are blank
            cells = tuple(line[i] if i < len(line) else "" for i in places)
        return cells

    def _head_of(self, line: list[Any]) -> tuple[Any, ...]:
        """The row's head cells as they are (with their types: True and 1.0 are equal but read differently)."""
        cells = self._cells(self.head_cells, self.head_places, line)
        return (*cells, *map(type, cells))

    def parse(self, group: Group) -> None:
        """The group's kind and form (or its cell errors; the cells that cannot be read are blank in the form and
        the rest is still checked)."""
        first_number, first = group.lines[0]
        group.kind = KIND_BY_LABEL.get(cell_text(first[self.kind_at]) if self.kind_at < len(first) else "")
        if group.kind is None:
            group.errors.append(CellError(first_number, L.IMPORT_KIND, L.MSG_UNKNOWN_KIND))
        errors: dict[str, str] = {}
        head: Values = {}
        texts = []
        for f in self.head:
            text, value, error = f.read(first)
            head[f.spec.key] = value
            texts.append(text)
            if error:
                errors[f.spec.key] = error
        cells = self._head_of(first)
        for number, line in group.lines[1:]:
            if self._head_of(line) != cells:
                for f, text in zip(self.head, texts, strict=True):
                    if f.read(line)[0] != text:
                        group.errors.append(CellError(number, f.spec.label, L.MSG_HEAD_DIFFERS.format(
                            row=first_number)))
        if len(group.lines) > MAX_ROWS:
            errors["items"] = L.MSG_TOO_MANY_ROWS.format(count=MAX_ROWS)
        items = []
        fields = self.items
        for index, (_, line) in enumerate(group.lines[:MAX_ROWS]):
            item: Values = {}
            for f, raw in zip(fields, self._cells(self.item_cells, self.item_places, line), strict=True):
                _, value, error = f.memo.get((raw.__class__, raw)) or f.cell(raw)
                item[f.key] = value
                if error:
                    errors[path("items", index, f.key)] = error
            found = self.elements.get(item["model_spec"])
            if found is None:
                found = spec_elements(item["model_spec"])
                if len(self.elements) < MEMO:
                    self.elements[item["model_spec"]] = found
            item["elements"], item["model_spec"] = list(found[0]), found[1]
            items.append(item)
        group.field_errors = errors
        group.form = DeclarationForm(head, items) if len(group.lines) <= MAX_ROWS else None

    def cell_errors(self, group: Group, errors: dict[str, str]) -> None:
        """Errors keyed by field path (``trade_mode``, ``items[2].quantity``) as the cells they name."""
        first_number = group.lines[0][0]
        for key, reason in errors.items():
            if key.startswith("items[") and "]." in key:
                index, name = key[6:].split("].", 1)
                number = group.lines[int(index)][0] if int(index) < len(group.lines) else first_number
                group.errors.append(CellError(number, ITEM_HEADER.get(name, ""), reason))
            else:
                group.errors.append(CellError(first_number, HEAD_HEADER.get(key, ""), reason))
