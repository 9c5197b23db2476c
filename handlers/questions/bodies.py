"""The request bodies of questions, one class each, shared by the JSON API and the H5 pages.

Field names are the ones the services' and the lifecycle's refusals name (``field=…``), so a refusal lands
beside its field on a page and in ``error.field`` of the API.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from handlers.kit.bodies import Body, PageQuery
from handlers.kit.fields import Flag, Id, Ids, Limit, LongText, OptionalId, Refusal, Text, Upload
from models.lifecycle import MSG_CHOOSE_IMPORTANCE, Evaluation, Importance
from services.questions.form import (
    DESCRIPTION_MAX,
    MSG_BAD_CATEGORY,
    MSG_BAD_TYPES,
    MSG_CHOOSE_ACCEPTING_OFFICE,
    NAME_MAX,
    REMARKS_MAX,
    TITLE_MAX,
    QuestionForm,
)
from services.questions.public import MAX_LIMIT as PUBLIC_MAX
from services.questions.views import PAGE_MAX, STATUS_GROUPS

MSG_EVALUATION = "请选择评价：1 完全解决问题、2 同意答复意见、3 没有解决问题或 4 解决部分问题"
MSG_EXECUTIVE = "请选择审核高管"
MSG_UNIT = "受理单位无效"
PAGE_SIZE = 20


def _choice(value: Any) -> Any:
    """Empty → not chosen (the service asks for one); a number or a Chinese label → its value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else value
    return {i.label: i.value for i in Importance}.get(text, text) if isinstance(text, str) else text


ExecutiveId = Annotated[OptionalId, Refusal(MSG_EXECUTIVE),
                        Field(description="审核高管（需高管审核且企业有多位高管时必填）")]


class QuestionBody(Body):
    """The ask form (提问 / 修改)."""

    documented_required = ("title", "contact_name", "contact_phone", "description")

    accepting_office_id: Annotated[Id, Refusal(MSG_CHOOSE_ACCEPTING_OFFICE), Field(description="受理单位")]
    office_id: Annotated[OptionalId, Refusal("请选择受理海关/部门"),
                         Field(description="受理海关/部门，须在受理单位之下；空为受理单位本身")] = None
    title: Annotated[Text, Field(description=f"标题，不超过 {TITLE_MAX} 个字")] = ""
    type_ids: Annotated[Ids, Refusal(MSG_BAD_TYPES), Field(description="问题类型，可多选")] = []
    business_category_id: Annotated[OptionalId, Refusal(MSG_BAD_CATEGORY),
                                    Field(description="业务类别")] = None
    contact_name: Annotated[Text, Field(description=f"联系人，不超过 {NAME_MAX} 个字")] = ""
    contact_phone: Annotated[Text, Field(description="联系电话：手机号或带区号的座机号")] = ""
    description: Annotated[LongText, Field(description=f"问题描述，不超过 {DESCRIPTION_MAX} 个字")] = ""
    remarks: Annotated[LongText, Field(description=f"备注，不超过 {REMARKS_MAX} 个字")] = ""
    allow_publication: Annotated[Flag, Field(description="允许公开")] = False

    def form(self) -> QuestionForm:
        return QuestionForm(
            accepting_office_id=self.accepting_office_id, office_id=self.office_id, title=self.title,
            type_ids=tuple(self.type_ids), business_category_id=self.business_category_id,
            contact_name=self.contact_name, contact_phone=self.contact_phone, description=self.description,
            remarks=self.remarks, allow_publication=self.allow_publication)


class ResubmitBody(QuestionBody):
    """修改后重新提交: the form and, when needed, the executive who reviews it."""

    executive_id: ExecutiveId = None


class AskBody(ResubmitBody):
    """提问: the form, the reviewing executive, and whether to submit now or keep a draft."""

    submit: Annotated[Flag, Field(description="true 提交；false 保存为草稿")] = True


class ImageBody(Body):
    documented_required = ("image",)

    image: Annotated[Upload, Field(description="一张 JPG/PNG 图片，不超过 20 MB；替换本轮已有的图片")] = None


class SubmitBody(Body):
    executive_id: ExecutiveId = None


class EvaluateBody(Body):
    documented_required = ("evaluation",)

    evaluation: Annotated[Evaluation | None, Refusal(MSG_EVALUATION), BeforeValidator(_choice),
                          Field(description="1 完全解决问题 2 同意答复意见 3 没有解决问题 4 解决部分问题")] = None
    note: Annotated[LongText, Field(description="补充说明")] = ""
    appended_text: Annotated[LongText, Field(description="追加问题描述（仅 3、4）")] = ""


class AppendBody(Body):
    documented_required = ("appended_text",)

    appended_text: Annotated[LongText, Field(description="追加的问题描述")] = ""


class ReturnBody(Body):
    documented_required = ("reason",)

    reason: Annotated[LongText, Field(description="退回原因")] = ""


class ApproveBody(Body):
    documented_required = ("importance",)

    importance: Annotated[Importance | None, Refusal(MSG_CHOOSE_IMPORTANCE), BeforeValidator(_choice),
                          Field(description="normal 一般 / important 重要 / urgent 紧急（也接受中文）")] = None


# Query strings: one class each, read with ``read_query`` and documented as the operation's parameters.
MSG_LIMIT = "每页条数应为整数"
PageSize = Annotated[Limit, Refusal(MSG_LIMIT)]


def page_size(maximum: int) -> Any:
    """The documented range of a list's page size (its service refuses one outside with the range)."""
    return Field(json_schema_extra={"minimum": 1, "maximum": maximum, "default": PAGE_SIZE})


class MyQuestionsQuery(PageQuery):
    """我的问题: a status tab and a page."""

    status: Annotated[Text, Field(description="状态分组（空为全部）",
                                  json_schema_extra={"enum": ["", *STATUS_GROUPS]})] = ""
    limit: Annotated[PageSize, page_size(PAGE_MAX)] = PAGE_SIZE


class ImageQuery(Body):
    attachment_id: Annotated[OptionalId, Refusal("图片编号无效"), Field(description="图片编号；缺省为最新一张")] = None


class AskOptionsQuery(Body):
    accepting_office_id: Annotated[OptionalId, Refusal(MSG_UNIT),
                                   Field(description="所选受理单位；缺省为第一个")] = None


class AskPageQuery(Body):
    """我要提问: the chosen accepting unit; ``choose`` asks for the list of units again."""

    unit: Annotated[OptionalId, Refusal(MSG_UNIT)] = None
    choose: Flag = False


class PublicQuestionsQuery(PageQuery):
    type_id: Annotated[OptionalId, Refusal("问题类型不正确"), Field(description="问题类型")] = None
    limit: Annotated[PageSize, page_size(PUBLIC_MAX)] = PAGE_SIZE


class SimilarQuery(Body):
    q: Annotated[Text, Field(description="正在输入的标题")] = ""
