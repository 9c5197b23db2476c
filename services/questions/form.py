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
    """The cleaned form, or ValidationFailed naming the first bad field."""
    title = clean_text(form.title)
    if not title:
        raise ValidationFailed("请填写标题", field="title")
    if len(title) > TITLE_MAX:
        raise ValidationFailed(f"标题不能超过 {TITLE_MAX} 个字（现为 {len(title)} 个）", field="title")
    if not form.type_ids:
        raise ValidationFailed("请至少选择一个问题类型", field="type_ids")
    contact_name = clean_text(form.contact_name)
    if not contact_name:
        raise ValidationFailed("请填写联系人", field="contact_name")
    if len(contact_name) > NAME_MAX:
        raise ValidationFailed(f"联系人不能超过 {NAME_MAX} 个字", field="contact_name")
    phone = clean_text(form.contact_phone).replace(" ", "")
    if not is_contact_phone(phone):
        raise ValidationFailed("联系电话格式不正确（手机号或带区号的座机号）", field="contact_phone")
    description = clean_text(form.description)
    if not description:
        raise ValidationFailed("请填写问题描述", field="description")
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(f"问题描述不能超过 {DESCRIPTION_MAX} 个字", field="description")
    remarks = clean_text(form.remarks)
    if len(remarks) > REMARKS_MAX:
        raise ValidationFailed(f"备注不能超过 {REMARKS_MAX} 个字", field="remarks")
    return replace(form, title=title, type_ids=tuple(dict.fromkeys(form.type_ids)), contact_name=contact_name,
                   contact_phone=phone, description=description, remarks=remarks)
