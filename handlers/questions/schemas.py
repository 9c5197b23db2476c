"""JSON answers of 我的问题 and 高管审核: the documented response schemas (the read models themselves are
written as JSON by ``handlers.kit.responses.ok``).

The request bodies are classes in ``handlers/questions/bodies.py``.
"""

from __future__ import annotations

from models.lifecycle import Action, Importance, Status

TIME = {"type": ["string", "null"], "format": "date-time"}
TEXT = {"type": "string"}
ACTIONS = {"type": "array", "items": {"type": "string", "enum": [a.value for a in Action]},
           "description": "当前用户现在可以进行的操作（由问题状态流转表得出）"}
ITEM = {"type": "object", "properties": {
    "id": {"type": "integer"}, "number": {"type": "string", "description": "问题编号"}, "title": TEXT,
    "types": {"type": "array", "items": TEXT}, "status": {"type": "string", "enum": [s.value for s in Status]},
    "status_label": {"type": "string", "description": "状态中文名"},
    "reply_kind": {"type": ["string", "null"], "enum": ["answer", "return", "needs_modification", None]},
    "round": {"type": "integer"}, "creator_name": {"type": "string", "description": "提问人"},
    "submitted_at": {**TIME, "description": "提交时间（第一轮；追加轮次的时间见办理记录）"},
    "accepted_at": {**TIME, "description": "受理时间（第一轮）"},
    "updated_at": TIME, "actions": ACTIONS}}
PAGE = {"type": "object", "required": ["items", "next_cursor"], "properties": {
    "items": {"type": "array", "items": ITEM},
    "next_cursor": {"type": ["string", "null"], "description": "下一页的 cursor；null 表示没有更多"}}}
QUEUE = {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": ITEM}}}
ENTRY = {"type": "object", "properties": {
    "at": TIME, "who": TEXT, "role": TEXT, "role_label": TEXT, "what": {"type": "string", "description": "操作"},
    "text": TEXT, "round": {"type": "integer"}, "status_label": TEXT}}
DETAIL = {"type": "object", "properties": {
    "item": ITEM, "business_category": TEXT, "accepting_office": TEXT, "office": TEXT,
    "importance": {"type": ["string", "null"], "enum": [i.value for i in Importance] + [None]},
    "importance_label": TEXT, "assigned_executive": TEXT, "contact_name": TEXT, "contact_phone": TEXT,
    "description": TEXT, "remarks": TEXT, "allow_publication": {"type": "boolean"},
    "replied_at": TIME, "evaluated_at": TIME, "closed_at": TIME,
    "images": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "round": {"type": "integer"}, "url": TEXT}}},
    "replies": {"type": "array", "items": {"type": "object", "properties": {
        "at": TIME, "round": {"type": "integer"}, "kind": TEXT, "kind_label": TEXT, "text": TEXT, "who": TEXT}}},
    "evaluations": {"type": "array", "items": {"type": "object", "properties": {
        "at": TIME, "round": {"type": "integer"}, "kind": TEXT, "kind_label": TEXT, "note": TEXT,
        "appended_text": TEXT, "who": TEXT}}},
    "timeline": {"type": "array", "items": ENTRY},
    "executives": {"type": "array", "description": "提交时可选的审核高管（无需选择时为空）",
                   "items": {"type": "object", "properties": {"id": {"type": "integer"}, "name": TEXT}}},
    "return_reason": {"type": "string", "description": "高管退回的原因（问题处于高管退回状态时），否则为空"}}}
DELETED = {"type": "object", "properties": {"id": {"type": "integer"}, "status": {"const": "deleted"}}}
