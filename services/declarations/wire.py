"""A declaration's content ↔ the single window's records (docs/single_window_protocol.md): the head, items,
containers and documents keyed by the standard message's element names (``FieldSpec.xml``; a field without one,
the 转关 fields, by its own key), and the protocol's 报关单类型 codes ↔ our kinds.

Reading is lenient: a value the form cannot hold (too long, not a number) is left empty rather than refusing the
whole record — what the single window holds is what customs has, and the sync must not stop on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from models.declarations import DeclarationKind
from services.declarations.fields import (
    HEAD_FIELDS,
    PARTS,
    DeclarationForm,
    FieldSpec,
    as_text,
    join_elements,
    split_elements,
    typed_value,
)

KIND_OF_TYPE = {"E0": DeclarationKind.EXPORT, "E1": DeclarationKind.EXPORT_RECORD,
                "E2": DeclarationKind.EXPORT_TRANSIT, "E3": DeclarationKind.EXPORT_TRANSIT_RECORD}
TYPE_OF_KIND = {kind: code for code, kind in KIND_OF_TYPE.items()}


def _name(spec: FieldSpec) -> str:
    return spec.xml or spec.key


def _read(specs: Sequence[FieldSpec], raw: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in specs:
        try:
            out[spec.key] = typed_value(spec, raw.get(_name(spec)))
        except ValueError:
            out[spec.key] = None if spec.kind.value in ("decimal", "integer", "date") else ""
    return out


def form_of(head: Mapping[str, Any], parts: Mapping[str, Sequence[Mapping[str, Any]]]) -> DeclarationForm:
    """The typed content of a record as the single window gives it."""
    typed = {name: [_read(specs, row) for row in parts.get(name) or []] for name, specs in PARTS.items()}
    for item in typed["items"]:
        item["elements"] = split_elements(str(item.get("model_spec") or ""))
        item["model_spec"] = join_elements(item["elements"])
    return DeclarationForm(_read(HEAD_FIELDS, head), typed["items"], typed["containers"], typed["documents"])


def _write(specs: Sequence[FieldSpec], values: Mapping[str, Any]) -> dict[str, str]:
    return {_name(spec): as_text(values.get(spec.key)) for spec in specs if values.get(spec.key) not in (None, "")}


def record_of(form: DeclarationForm) -> dict[str, Any]:
    """The content as the protocol sends it: ``head`` and the parts (items numbered by ``GNo``)."""
    parts = {name: [_write(specs, row) for row in form.part(name)] for name, specs in PARTS.items()}
    for number, item in enumerate(parts["items"], start=1):
        item["GNo"] = str(number)
    return {"head": _write(HEAD_FIELDS, form.head), **parts}
