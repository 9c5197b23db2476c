"""Reading and writing a declaration's content: the typed form ↔ the head's columns and JSON and the rows of its
items, containers and documents. Nothing here decides; the use cases in ``entry`` call these in their
transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.declarations import Declaration, DeclarationContainer, DeclarationDocument, DeclarationItem
from services.declarations.fields import (
    HEAD_COLUMNS,
    HEAD_FIELDS,
    PARTS,
    DeclarationForm,
    Kind,
    Values,
    plain,
    typed_value,
)

MODELS: dict[str, Any] = {"items": DeclarationItem, "containers": DeclarationContainer,
                          "documents": DeclarationDocument}
_HEAD_KEPT = tuple(spec.key for spec in HEAD_FIELDS if not spec.column)  # the head's fields kept in ``head``
# a number left empty is stored as NULL; any other empty field as ""
NUMBERS = frozenset(spec.key for specs in PARTS.values() for spec in specs if spec.kind is Kind.DECIMAL)


def part_columns(name: str) -> list[str]:
    """The stored columns of a part's row besides ``declaration_id`` and ``position``."""
    return [spec.key for spec in PARTS[name]] + (["elements"] if name == "items" else [])


def stored_values(keys: list[str], row: Values) -> list[Any]:
    """A part's row as the values of its columns ``keys`` (a number left empty is NULL, any other empty field
    "")."""
    return ["" if (value := row.get(key)) is None and key not in NUMBERS else value for key in keys]


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def system_number(at: datetime, declaration_id: int) -> str:
    """系统编号: unique by the id, dated by the creation."""
    return f"E{at:%Y%m%d}{declaration_id:08d}"


def head_columns(form: DeclarationForm) -> dict[str, Any]:
    """The head as the declaration's typed columns and its ``head`` JSON (only the field list's keys)."""
    columns: dict[str, Any] = {key: form.head.get(key) or "" for key in HEAD_COLUMNS}
    columns["head"] = {key: _json(value) for key in _HEAD_KEPT
                       if (value := form.head.get(key)) is not None and not (isinstance(value, str) and value == "")}
    return columns


def part_rows(declaration_id: int, form: DeclarationForm) -> dict[str, list[Any]]:
    """The rows of the form's items, containers and documents, by part (not yet stored)."""
    rows: dict[str, list[Any]] = {}
    for name, model in MODELS.items():
        keys = part_columns(name)
        rows[name] = [model(declaration_id=declaration_id, position=i, **dict(zip(keys, stored_values(keys, row),
                                                                                  strict=True)))
                      for i, row in enumerate(form.part(name), start=1)]
    return rows


async def write_parts(conn: BaseDBAsyncClient, declaration_id: int, form: DeclarationForm) -> None:
    """Replace the items, containers and documents of the declaration with the form's."""
    for name, rows in part_rows(declaration_id, form).items():
        await MODELS[name].filter(declaration_id=declaration_id).using_db(conn).delete()
        if rows:
            await MODELS[name].bulk_create(rows, using_db=conn)


async def read_form(conn: BaseDBAsyncClient, declaration: Declaration) -> DeclarationForm:
    head: Values = {spec.key: typed_value(spec, getattr(declaration, spec.key) if spec.column
                                          else declaration.head.get(spec.key)) for spec in HEAD_FIELDS}
    parts: dict[str, list[Values]] = {}
    for name, model in MODELS.items():
        keys = part_columns(name)
        parts[name] = [{key: plain(Decimal(value)) if key in NUMBERS and value is not None else value
                        for key, value in zip(keys, row, strict=True)}
                       for row in await model.filter(declaration_id=declaration.id).using_db(conn)
                       .order_by("position").values_list(*keys)]
    return DeclarationForm(head, parts["items"], parts["containers"], parts["documents"])
