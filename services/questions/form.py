"""The ask form's fields and their checks (pure): what a question must look like before it is stored."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from models.errors import ValidationFailed
from models.identifiers import is_contact_phone

TITLE_MAX = 20
DESCRIPTION_MAX = 5000
REMARKS_MAX = 1000
NAME_MAX = 50
# The form's choices among reference data: refused alike by the edge's parsing and the service's look-up.
MSG_CHOOSE_ACCEPTING_OFFICE = "请选择受理单位"
MSG_BAD_TYPES = "问题类型无效，请重新选择"
MSG_BAD_CATEGORY = "业务类别无效，请重新选择"


@dataclass(frozen=True)
class QuestionForm:
    accepting_office_id: int
    title: str
    type_ids: tuple[int, ...]
    contact_name: str
    contact_phone: str
    description: str
    office_id: int | None = None  # 受理海关 / 部门; empty: the accepting office itself
    business_category_id: int | None = None
    remarks: str = ""
    allow_publication: bool = False


def clean_text(value: str) -> str:
    """NFC-normalised and stripped, so "20 characters" means what the user sees."""
    return unicodedata.normalize("NFC", value).strip()


def check_question_form(form: QuestionForm) -> QuestionForm:
    """The cleaned form, or ValidationFailed naming every bad field at once (the first leads)."""
    title, contact_name = clean_text(form.title), clean_text(form.contact_name)
    description, remarks = clean_text(form.description), clean_text(form.remarks)
    phone = clean_text(form.contact_phone).replace(" ", "")
    problems = {
        "title": ("请填写标题" if not title else
                  f"标题不能超过 {TITLE_MAX} 个字（现为 {len(title)} 个）" if len(title) > TITLE_MAX else ""),
        "type_ids": "" if form.type_ids else "请至少选择一个问题类型",
        "contact_name": ("请填写联系人" if not contact_name else
                         f"联系人不能超过 {NAME_MAX} 个字" if len(contact_name) > NAME_MAX else ""),
        "contact_phone": "" if is_contact_phone(phone) else "联系电话格式不正确（手机号或带区号的座机号）",
        "description": ("请填写问题描述" if not description else
                        f"问题描述不能超过 {DESCRIPTION_MAX} 个字" if len(description) > DESCRIPTION_MAX else ""),
        "remarks": f"备注不能超过 {REMARKS_MAX} 个字" if len(remarks) > REMARKS_MAX else "",
    }
    errors = {name: message for name, message in problems.items() if message}
    if len(errors) == 1:
        name, message = next(iter(errors.items()))
        raise ValidationFailed(message, field=name)
    if errors:
        raise ValidationFailed.of(errors)
    return replace(form, title=title, type_ids=tuple(dict.fromkeys(form.type_ids)), contact_name=contact_name,
                   contact_phone=phone, description=description, remarks=remarks)
