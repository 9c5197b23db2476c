"""One class per request body, read the same way from JSON and from a page form, and documented from itself.

``read_body(request, SomeBody)`` takes the JSON object of an ``application/json`` request, else the form
(URL-encoded or multipart; a field of a list type gets every repeated value, any other the first; files stay
in ``request.files``), validates it with the class, and answers the body or raises ValidationFailed naming
every refused field at once, in Chinese. ``read_query`` does the same for a query string (a query class is a
``Body`` too; ``PageQuery`` and ``PeriodQuery`` are the shared cursor and from/to parts; the API documents a
query class as its parameters).

Fields not declared are ignored (``extra="ignore"``): forms carry ``csrf_token``, ``next`` and their buttons,
and an API client that sends a field we do not know yet must not be refused for it. Text fields whose
emptiness or length is a rule of the domain default to "" and the service refuses them with its own message
(the lifecycle's refusals name the same fields); ``documented_required`` puts them in the schema's
``required`` all the same, so the document says what a request needs.
"""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Annotated, Any, ClassVar, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo
from sanic import Request
from sanic.request import RequestParameters

from handlers.kit.fields import FALSE_WORDS, Cursor, NotEchoed, OptionalDay, Refusal, chinese
from models.errors import ValidationFailed
from services.kit.filters import MSG_FROM_AFTER_TO

MSG_BAD_BODY = "请求格式不正确，应为 JSON 对象"
MSG_TOO_DEEP = "请求内容嵌套过深"
MSG_PASSWORDS_DIFFER = "两次输入的密码不一致"

B = TypeVar("B", bound="Body")  # any body class: ``read_body(request, SomeBody)`` answers a SomeBody


class NotANumber:
    """What JSON's NaN, Infinity and 1e999 decode to: no field type accepts it, so its field is refused."""

    def __repr__(self) -> str:
        return "NotANumber"


NOT_A_NUMBER = NotANumber()


def _schema_extra(schema: dict[str, Any], cls: type[Body]) -> None:
    required = [*schema.get("required", []), *cls.documented_required]
    if required:
        schema["required"] = list(dict.fromkeys(required))


class Body(BaseModel):
    """The base of every request body (see the module docstring for the choices)."""

    model_config = ConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True, json_schema_extra=_schema_extra)
    documented_required: ClassVar[tuple[str, ...]] = ()


class PageQuery(Body):
    """A page of a list: the cursor the previous page handed out (none: the first page)."""

    cursor: Cursor = ""


class PeriodQuery(Body):
    """A period of calendar days in a query string, ``?from=2026-01-01&to=2026-01-31`` (either end may be open)."""

    date_from: Annotated[OptionalDay, Field(alias="from")] = None
    date_to: Annotated[OptionalDay, Field(alias="to")] = None

    def period(self) -> tuple[date | None, date | None]:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValidationFailed(MSG_FROM_AFTER_TO, field="from")
        return self.date_from, self.date_to


def same_password(password: str, again: str) -> str:
    """A new password typed twice (fields ``password`` and ``password2``): the same both times, else refused
    beside the second."""
    if password != again:
        raise ValidationFailed(MSG_PASSWORDS_DIFFER, field="password2")
    return password


def read_body(request: Request, body: type[B]) -> B:
    if request.content_type.startswith("application/json"):
        return validated(body, decoded_json(request.body))
    return validated(body, form_values(body, request.form or RequestParameters()))


def read_query(request: Request, body: type[B]) -> B:
    return validated(body, form_values(body, request.args))


def validated(body: type[B], raw: dict[str, Any]) -> B:
    try:
        return body.model_validate(raw)
    except ValidationError as error:
        raise ValidationFailed.of(field_errors(body, error)) from None
    except RecursionError:
        raise ValidationFailed(MSG_TOO_DEEP) from None


def field_errors(body: type[Body], error: ValidationError) -> dict[str, str]:
    """Each refused field's first error, in Chinese (a field's ``Refusal`` wins over the generic message)."""
    errors: dict[str, str] = {}
    by_key = {info.alias or name: info for name, info in body.model_fields.items()}
    for item in error.errors(include_url=False, include_input=False):
        name = str(item["loc"][0]) if item["loc"] else "_form"
        if name in errors:
            continue
        info = by_key.get(name)
        refusal = next((m for m in info.metadata if isinstance(m, Refusal)), None) if info else None
        errors[name] = refusal.message if refusal else chinese(item["type"], item.get("ctx"))
    return errors


def decoded_json(raw: bytes) -> dict[str, Any]:
    """A JSON object; anything else (bad syntax, deep nesting, a list) is one Chinese refusal."""
    try:
        value = json.loads(raw or b"{}", parse_constant=lambda _: NOT_A_NUMBER, parse_float=_finite)
    except RecursionError:
        raise ValidationFailed(MSG_TOO_DEEP) from None
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(MSG_BAD_BODY) from None
    if not isinstance(value, dict):
        raise ValidationFailed(MSG_BAD_BODY)
    return value


def _finite(text: str) -> float | NotANumber:
    number = float(text)
    return number if math.isfinite(number) else NOT_A_NUMBER


def form_values(body: type[Body], form: RequestParameters) -> dict[str, Any]:
    """A form's declared fields: every value of a list field, the first of any other."""
    values: dict[str, Any] = {}
    for name, info in body.model_fields.items():
        key = info.alias or name  # a query parameter named like a Python keyword (``from``)
        items = form.getlist(key)
        if not items:
            continue
        values[key] = list(items) if is_many(info) else items[0]
    return values


def typed_values(request: Request, body: type[Body]) -> dict[str, Any]:
    """What the user typed into a page form, unconverted, to show the form again with nothing lost (passwords
    excepted: they are never sent back)."""
    form = request.form or RequestParameters()
    values: dict[str, Any] = {}
    for name, info in body.model_fields.items():
        items = [str(v) for v in form.getlist(name) or []]
        if any(isinstance(m, NotEchoed) for m in info.metadata):
            values[name] = ""
        elif info.annotation is bool:
            values[name] = bool(items) and items[0].strip().lower() not in FALSE_WORDS
        else:
            values[name] = items if is_many(info) else (items[0] if items else "")
    return values


def is_many(info: FieldInfo) -> bool:
    annotation = info.annotation
    if get_origin(annotation) in (list, tuple):
        return True
    return any(get_origin(arg) in (list, tuple) for arg in get_args(annotation))
