"""The JSON API's OpenAPI 3.1 document, built from the routes themselves.

Every API handler is registered with ``api_route(bp, method, path, summary=…, tag=…, body=…, response=…)``:
the route and its documentation are one declaration, so the document cannot forget an endpoint (a test
compares it with the router). A request body is a ``Body`` class (``handlers/kit/bodies.py``): the same class
parses the request and gives its schema (``model_json_schema``) under ``components/schemas``, referenced by
``$ref``. A query string is a ``Body`` class too (read with ``read_query``): ``query_parameters`` turns its fields
into the operation's ``parameters``. Responses are plain JSON Schema dicts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sanic import Blueprint

from handlers.kit.bodies import Body
from handlers.kit.fields import MAX_ID

API_PREFIX = "/api/v1"
ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string", "description": "中文提示"},
                   "field": {"type": ["string", "null"], "description": "出错的字段（有多个时为第一个）"},
                   "fields": {"type": "object", "additionalProperties": {"type": "string"},
                              "description": "请求体校验时：每个出错字段及其提示"}}}}}
REF = "#/components/schemas/{model}"
PATH_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI form: /questions/{question_id}
    summary: str
    tag: str
    body: type[Body] | None
    response: dict[str, Any] | None
    query: type[Body] | None
    auth: bool
    status: int
    multipart: bool = False
    errors: tuple[int, ...] = field(default=(400, 401, 403, 404, 409, 429))
    texts: tuple[str, ...] = ()  # path parameters that are text (``<table:str>``), not ids
    media: str = "application/json"  # of the success answer (a printed declaration: application/pdf)


OPERATIONS: list[Operation] = []
_PARAM = re.compile(r"<(\w+)(?::([^>]+))?>")  # a Sanic path parameter: its name and its type


def api_route(bp: Blueprint, method: str, path: str, *, summary: str, tag: str,
              body: type[Body] | None = None, response: dict[str, Any] | None = None,
              query: type[Body] | None = None, auth: bool = True, status: int = 200,
              multipart: bool = False, media: str = "application/json"
              ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``path`` (Sanic syntax, under /api/v1) on ``bp`` and document it (``media``: the success answer's
    content type, ``response`` its schema)."""
    documented = _PARAM.sub(r"{\1}", path.removeprefix(API_PREFIX))
    texts = tuple(name for name, kind in _PARAM.findall(path) if kind not in ("", "int"))
    op = Operation(method.upper(), documented, summary, tag, body, response, query, auth, status, multipart,
                   texts=texts, media=media)
    if op not in OPERATIONS:
        OPERATIONS.append(op)

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        return bp.route(path, methods=[op.method], name=f"{op.method.lower()}_{handler.__name__}")(handler)

    return register


def openapi_document(server_url: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in sorted(OPERATIONS, key=lambda o: (o.path, o.method)):
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "清零 企业端接口", "version": "1.0.0",
                 "description": "企业用户提问、跟踪、审核、评价与已公开问题的接口。H5 页面与小程序共用。"
                                "认证：登录后得到的 token 放在 Authorization: Bearer 中，或使用页面的会话 Cookie"
                                "（此时修改类请求需带 X-CSRF-Token）。"
                                "分页：列表返回 next_cursor，传回 cursor 取下一页。"},
        "servers": [{"url": server_url.rstrip("/") + API_PREFIX}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR, **body_schemas()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "cookie": {"type": "apiKey", "in": "cookie", "name": "ql_session"}},
        },
    }


def _operation(op: Operation) -> dict[str, Any]:
    params = [{"name": name, "in": "path", "required": True,
               "schema": {"type": "string", "maxLength": 32} if name in op.texts else PATH_ID}
              for name in re.findall(r"{(\w+)}", op.path)]
    params += query_parameters(op.query) if op.query else []
    ok: dict[str, Any] = {"description": "成功"}
    if op.response is not None:
        ok["content"] = {op.media: {"schema": op.response}}
    error = {"description": "错误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    operation_id = re.sub(r"\W+", "_", f"{op.method.lower()}{op.path}").strip("_")
    doc: dict[str, Any] = {
        "summary": op.summary, "tags": [op.tag], "operationId": operation_id,
        "parameters": params, "responses": {str(op.status): ok, **{str(code): error for code in op.errors}},
        "security": [{"bearer": []}, {"cookie": []}] if op.auth else [],
    }
    if op.body is not None:
        kind = "multipart/form-data" if op.multipart else "application/json"
        doc["requestBody"] = {"required": True,
                              "content": {kind: {"schema": {"$ref": REF.format(model=op.body.__name__)}}}}
    return doc


def query_parameters(query: type[Body]) -> list[dict[str, Any]]:
    """A query class's fields as OpenAPI query parameters (a field's description moves to the parameter)."""
    schema = query.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    params = []
    for name, field_schema in schema.get("properties", {}).items():
        field_schema = _without_null(field_schema)
        param = {"name": name, "in": "query", "required": name in required, "schema": field_schema}
        if "description" in field_schema:
            param["description"] = field_schema.pop("description")
        params.append(param)
    return params


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query string cannot carry null: an optional parameter is simply left out."""
    schema = {k: v for k, v in schema.items() if k not in ("title", "default") or v is not None}
    schema.pop("title", None)
    options = [o for o in schema.get("anyOf", []) if o != {"type": "null"}]
    if len(options) == 1:
        schema = {**{k: v for k, v in schema.items() if k != "anyOf"}, **options[0]}
    return schema


def body_schemas() -> dict[str, Any]:
    """Every documented body class's schema, and the schemas it (or a query class) refers to, by class name."""
    schemas: dict[str, Any] = {}
    for body in {op.body for op in OPERATIONS if op.body is not None}:
        schema = body.model_json_schema(ref_template=REF)
        schemas |= schema.pop("$defs", {})
        schemas[body.__name__] = schema
    for query in {op.query for op in OPERATIONS if op.query is not None}:
        schemas |= query.model_json_schema(ref_template=REF).get("$defs", {})
    return dict(sorted(schemas.items()))
