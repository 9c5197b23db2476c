"""The ask form's answers on the wire (response schemas) and its values for the template.

The request bodies are classes in ``handlers/questions/bodies.py``; the image is checked by
``handlers/kit/uploads.py``.
"""

from __future__ import annotations

from typing import Any

from services.questions.form import QuestionForm

TEXT_FIELDS = ("title", "contact_name", "contact_phone", "description", "remarks")
ID_FIELDS = ("accepting_office_id", "office_id", "business_category_id", "executive_id")

_ID = {"type": "integer"}
_CHOICE = {"type": "object", "required": ["id", "name"],
           "properties": {"id": _ID, "name": {"type": "string"},
                          "depth": {"type": "integer", "description": "在上级下的层级，0 为受理单位本身"}}}
_CHOICES = {"type": "array", "items": _CHOICE}

QUESTION_REF: dict[str, Any] = {
    "type": "object", "required": ["id", "number", "status", "status_label"],
    "properties": {"id": _ID, "number": {"type": "string", "description": "问题编号"},
                   "status": {"type": "string"}, "status_label": {"type": "string", "description": "状态（中文）"}},
}
ASK_OPTIONS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "enterprise_name": {"type": "string", "description": "企业名称（不可修改）"},
        "contact_name": {"type": "string"}, "contact_phone": {"type": "string"},
        "accepting_offices": _CHOICES, "accepting_office_id": {"type": ["integer", "null"]},
        "offices": {**_CHOICES, "description": "所选受理单位及其下属海关、部门（深度优先）"},
        "types": _CHOICES, "categories": _CHOICES,
        "review_required": {"type": "boolean", "description": "提交后是否需企业高管审核"},
        "executives": _CHOICES,
        "refusal": {"type": "string", "description": "不为空时当前用户不能提问，内容为原因"},
    },
}
IMAGE_REF: dict[str, Any] = {
    "type": "object",
    "properties": {"id": _ID, "filename": {"type": "string"}, "content_type": {"type": "string"},
                   "size": {"type": "integer"}},
}


def values_of(form: QuestionForm, executive_id: int | None = None) -> dict[str, Any]:
    """A stored or prefilled form, as the template's values."""
    values: dict[str, Any] = {name: getattr(form, name) for name in TEXT_FIELDS}
    values |= {name: "" if getattr(form, name, None) is None else str(getattr(form, name))
               for name in ID_FIELDS if name != "executive_id"}
    values |= {"executive_id": "" if executive_id is None else str(executive_id),
               "type_ids": [str(i) for i in form.type_ids], "allow_publication": form.allow_publication}
    return values
