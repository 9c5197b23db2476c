"""The ask form on the wire, shared by the API and the pages: JSON schemas, and reading the form's fields.

``question_form(inputs)`` reads a JSON body and a page form the same way; ``form_values(inputs)`` keeps what
the user typed, unconverted, so a refused page form is shown again with nothing lost; ``uploaded_image``
checks the multipart field ``image`` (decoding runs in a thread: it is CPU-bound).
"""

from __future__ import annotations

import asyncio
from typing import Any

from sanic import Request

from handlers.kit.inputs import Inputs
from services.kit.images import CheckedImage, check_image
from services.questions.form import DESCRIPTION_MAX, NAME_MAX, REMARKS_MAX, TITLE_MAX, QuestionForm

TEXT_FIELDS = ("title", "contact_name", "contact_phone", "description", "remarks")
ID_FIELDS = ("accepting_office_id", "office_id", "business_category_id", "executive_id")

_ID = {"type": "integer"}
_CHOICE = {"type": "object", "required": ["id", "name"],
           "properties": {"id": _ID, "name": {"type": "string"},
                          "depth": {"type": "integer", "description": "在上级下的层级，0 为受理单位本身"}}}
_CHOICES = {"type": "array", "items": _CHOICE}

QUESTION_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["accepting_office_id", "title", "type_ids", "contact_name", "contact_phone", "description"],
    "properties": {
        "accepting_office_id": {**_ID, "description": "受理单位"},
        "office_id": {"type": ["integer", "null"], "description": "受理海关/部门，须在受理单位之下；空为受理单位本身"},
        "title": {"type": "string", "maxLength": TITLE_MAX, "description": f"标题，不超过 {TITLE_MAX} 个字"},
        "type_ids": {"type": "array", "items": _ID, "minItems": 1, "description": "问题类型，可多选"},
        "business_category_id": {"type": ["integer", "null"], "description": "业务类别"},
        "contact_name": {"type": "string", "maxLength": NAME_MAX, "description": "联系人"},
        "contact_phone": {"type": "string", "description": "联系电话：手机号或带区号的座机号"},
        "description": {"type": "string", "maxLength": DESCRIPTION_MAX, "description": "问题描述"},
        "remarks": {"type": "string", "maxLength": REMARKS_MAX, "description": "备注"},
        "allow_publication": {"type": "boolean", "description": "允许公开"},
    },
}
ASK_BODY: dict[str, Any] = {
    **QUESTION_FORM,
    "properties": {
        **QUESTION_FORM["properties"],
        "executive_id": {"type": ["integer", "null"],
                         "description": "提交给哪位高管审核（需高管审核且企业有多位高管时必填）"},
        "submit": {"type": "boolean", "default": True, "description": "true 提交；false 保存为草稿"},
    },
}
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
IMAGE_UPLOAD: dict[str, Any] = {
    "type": "object", "required": ["image"],
    "properties": {"image": {"type": "string", "format": "binary",
                             "description": "一张 JPG/PNG 图片，不超过 20 MB；替换本轮已有的图片"}},
}
IMAGE_REF: dict[str, Any] = {
    "type": "object",
    "properties": {"id": _ID, "filename": {"type": "string"}, "content_type": {"type": "string"},
                   "size": {"type": "integer"}},
}


def question_form(inputs: Inputs) -> QuestionForm:
    """The form's fields, converted; ValidationFailed names the field of a value of the wrong kind."""
    return QuestionForm(
        accepting_office_id=inputs.integer("accepting_office_id", "请选择受理单位") or 0,
        office_id=inputs.integer("office_id", "请选择受理海关/部门", required=False),
        title=inputs.text("title"),
        type_ids=inputs.integers("type_ids", "问题类型无效，请重新选择"),
        business_category_id=inputs.integer("business_category_id", "业务类别无效，请重新选择", required=False),
        contact_name=inputs.text("contact_name"),
        contact_phone=inputs.text("contact_phone"),
        description=inputs.text("description"),
        remarks=inputs.text("remarks"),
        allow_publication=inputs.flag("allow_publication"),
    )


def executive_choice(inputs: Inputs) -> int | None:
    return inputs.integer("executive_id", "请选择审核高管", required=False)


def form_values(inputs: Inputs) -> dict[str, Any]:
    """What the user sent, as text, for showing the form again."""
    values: dict[str, Any] = {name: _raw(inputs, name) for name in TEXT_FIELDS + ID_FIELDS}
    values["type_ids"] = [str(v) for v in inputs.values.get("type_ids", [])]
    values["allow_publication"] = inputs.flag("allow_publication")
    return values


def values_of(form: QuestionForm, executive_id: int | None = None) -> dict[str, Any]:
    """A stored or prefilled form, as the template's values."""
    values: dict[str, Any] = {name: getattr(form, name) for name in TEXT_FIELDS}
    values |= {name: "" if getattr(form, name, None) is None else str(getattr(form, name))
               for name in ID_FIELDS if name != "executive_id"}
    values |= {"executive_id": "" if executive_id is None else str(executive_id),
               "type_ids": [str(i) for i in form.type_ids], "allow_publication": form.allow_publication}
    return values


def _raw(inputs: Inputs, name: str) -> str:
    items = inputs.values.get(name) or [""]
    return "" if items[0] is None else str(items[0])


async def uploaded_image(request: Request, *, required: bool = False) -> CheckedImage | None:
    """The checked image of the multipart field ``image``; None when no file was chosen (and none required)."""
    upload = request.files.get("image") if request.files else None
    if upload is None or (not upload.body and not upload.name):
        if not required:
            return None
        upload_body, upload_name = b"", ""
    else:
        upload_body, upload_name = upload.body, upload.name or ""
    limit = request.app.ctx.settings.web.upload_max_bytes
    return await asyncio.to_thread(check_image, upload_body, upload_name, max_bytes=limit)
