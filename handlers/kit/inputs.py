"""Reading a request's input the same way for a page form and a JSON API body, with clear field errors.

``Inputs.of(request)`` takes the JSON object of an ``application/json`` request, else the form (URL-encoded
or multipart). Getters convert and raise ValidationFailed naming the field, so a handler never sees a raw
value of the wrong type.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sanic import Request

from models.errors import ValidationFailed

MSG_BAD_BODY = "请求格式不正确，应为 JSON 对象"
MAX_TEXT = 20000  # characters in any one field, before the field's own limit


@dataclass(frozen=True)
class Inputs:
    values: Mapping[str, list[Any]]

    @classmethod
    def of(cls, request: Request) -> Inputs:
        if request.content_type.startswith("application/json"):
            try:
                body = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError):
                raise ValidationFailed(MSG_BAD_BODY) from None
            if not isinstance(body, dict):
                raise ValidationFailed(MSG_BAD_BODY)
            return cls({k: v if isinstance(v, list) else [v] for k, v in body.items()})
        return cls(dict(request.form or {}))

    @classmethod
    def query(cls, request: Request) -> Inputs:
        return cls(dict(request.args))

    def has(self, name: str) -> bool:
        return name in self.values

    def text(self, name: str, default: str = "") -> str:
        items = self.values.get(name)
        if not items or items[0] is None:
            return default
        value = items[0]
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ValidationFailed("内容格式不正确", field=name)
        value = str(value)
        if len(value) > MAX_TEXT:
            raise ValidationFailed("内容过长", field=name)
        return value

    def integer(self, name: str, message: str, *, required: bool = True) -> int | None:
        items = self.values.get(name)
        raw = items[0] if items else None
        if raw is None or raw == "":
            if required:
                raise ValidationFailed(message, field=name)
            return None
        if isinstance(raw, bool):
            raise ValidationFailed(message, field=name)
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationFailed(message, field=name) from None
        if not -(2**31) < value < 2**31:
            raise ValidationFailed(message, field=name)
        return value

    def integers(self, name: str, message: str) -> tuple[int, ...]:
        """Several values of one field (checkboxes, or a JSON list)."""
        out = []
        for raw in self.values.get(name, []):
            if raw in ("", None):
                continue
            if isinstance(raw, bool):
                raise ValidationFailed(message, field=name)
            try:
                out.append(int(raw))
            except (TypeError, ValueError):
                raise ValidationFailed(message, field=name) from None
        return tuple(out)

    def flag(self, name: str) -> bool:
        """A checkbox or a JSON boolean: present and not "0"/"false"/"" means yes."""
        items = self.values.get(name)
        if not items:
            return False
        value = items[0]
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() not in ("", "0", "false", "off", "no")
