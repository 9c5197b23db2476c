"""The declarations' request bodies, generated from the one field list (``services.declarations.fields``).

A field is text as typed (a JSON number is taken as its text): the service parses numbers and dates and refuses
each bad one beside its field path (``items[0].quantity``), the same for the page and the API. The page's form
is flat: the head's fields by their keys, and each part's fields repeated once per row (``item_quantity`` …).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema, create_model

from handlers.kit.bodies import Body, PageQuery
from handlers.kit.fields import BigInt, Flag, Ids, Limit, LongText, Text, Upload
from models.declaration_lifecycle import DeclarationGroup, DeclarationStatus
from services.declarations.fields import HEAD_FIELDS, PARTS, FieldSpec, Kind
from services.declarations.review import ReviewMode
from services.declarations.review_filters import CHOICES
from services.declarations.review_filters import FIELDS as REVIEW_FILTER_FIELDS
from services.kit.records import DeclarationKind, MarkState

PAGE_PREFIX = {"items": "item_", "containers": "container_", "documents": "document_"}


def _as_text(value: Any) -> Any:
    if isinstance(value, bool):
        return value  # refused by the text type
    if isinstance(value, int | float | Decimal):
        return str(value)
    return "" if value is None else value


FieldText = Annotated[Text, BeforeValidator(_as_text)]
NUMBER_SCHEMA = {"type": ["string", "number"], "description": "数字（可为文字形式）"}


def _field(spec: FieldSpec) -> tuple[Any, Any]:
    extra: dict[str, Any] = {"title": spec.label}
    if spec.table:
        extra["description"] = f"代码表 {spec.table}（/api/v1/workspace/codes/{spec.table}?q=）"
    if spec.kind in (Kind.DECIMAL, Kind.INTEGER):
        return Annotated[FieldText, WithJsonSchema({**NUMBER_SCHEMA, "title": spec.label})], ""
    if spec.kind is Kind.DATE:
        extra["description"] = "日期，如 2026-03-02"
    return Annotated[FieldText, Field(json_schema_extra=extra)], ""


def _model(name: str, specs: tuple[FieldSpec, ...], doc: str, **more: Any) -> type[Body]:
    fields: dict[str, Any] = {spec.key: _field(spec) for spec in specs}
    model: type[Body] = create_model(name, __base__=Body, __doc__=doc, **fields, **more)
    return model


HeadBody = _model("DeclarationHead", HEAD_FIELDS, "报关单表头（转关字段仅用于转关提前报关单）")
ItemBody = _model("DeclarationItem", PARTS["items"],
                  "商品项；申报要素按商品目录顺序给出 elements，或给出以“|”连接的 model_spec",
                  elements=(list[FieldText] | None, None))
ContainerBody = _model("DeclarationContainer", PARTS["containers"], "集装箱")
DocumentBody = _model("DeclarationDocument", PARTS["documents"], "随附单证")
KindText = Annotated[Text, Field(json_schema_extra={"enum": ["export", "export_record", "export_transit",
                                                             "export_transit_record"]})]


class DeclarationContentBody(Body):
    head: HeadBody = Field(default_factory=HeadBody)  # type: ignore[valid-type]
    items: list[ItemBody] = Field(default_factory=list)  # type: ignore[valid-type]
    containers: list[ContainerBody] = Field(default_factory=list)  # type: ignore[valid-type]
    documents: list[DocumentBody] = Field(default_factory=list)  # type: ignore[valid-type]

    def parts(self) -> dict[str, list[dict[str, Any]]]:
        return {name: [row.model_dump() for row in getattr(self, name)] for name in PARTS}


class DeclarationCreateBody(DeclarationContentBody):
    """新建报关单草稿（内容可不完整）."""

    documented_required = ("kind",)

    kind: KindText = ""


class DeclarationUpdateBody(DeclarationContentBody):
    """暂存：以 version 做并发校验，版本过期返回 409."""

    version: BigInt


class DeclarationVersionBody(Body):
    """提交审核、撤回、删除、审核通过：当前版本号."""

    version: BigInt


class DeclarationDeclareBody(Body):
    """申报：当前版本号（可省略；给出且已过期时返回 409）."""

    version: BigInt | None = None


class DeclarationReturnBody(Body):
    """审核退回：原因必填."""

    documented_required = ("reason",)

    version: BigInt
    reason: Text = ""


class DeclarationsQuery(PageQuery):
    group: DeclarationGroup = DeclarationGroup.TODO
    limit: Limit = 20


class CodeQuery(Body):
    q: Text = ""


def _page_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {spec.key: (FieldText, "") for spec in HEAD_FIELDS}
    for name, specs in PARTS.items():
        fields.update({PAGE_PREFIX[name] + spec.key: (list[FieldText], Field(default_factory=list)) for spec in specs})
    return fields


EntryPageBody: type[Body] = create_model(
    "DeclarationEntryForm", __base__=Body, __doc__="录入页面的表单：表头字段 + 每行重复的商品项、集装箱、随附单证字段",
    kind=(Text, ""), version=(BigInt | None, None), op=(Text, "save"), **_page_fields())


def page_rows(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """The head and the rows of each part of a page form's values (row i of a part: the i-th value of each of its
    fields)."""
    head = {spec.key: values[spec.key] for spec in HEAD_FIELDS}
    parts: dict[str, list[dict[str, Any]]] = {}
    for name, specs in PARTS.items():
        columns = {spec.key: values[PAGE_PREFIX[name] + spec.key] for spec in specs}
        count = max((len(v) for v in columns.values()), default=0)
        rows = [{key: (column[i] if i < len(column) else "") for key, column in columns.items()} for i in range(count)]
        parts[name] = [row for row in rows if any(str(v).strip() for v in row.values())]  # a blank row is no row
    return head, parts


# 异常状态登记
class ExceptionBody(Body):
    """异常登记：号码、异常类型、发生日期、处理状态必填；日期写作 2026-03-02；海关处罚时填写处罚对象."""

    documented_required = ("number", "exception_type", "occurred_on", "status")

    number: Text = ""
    trade_name: Text = ""
    ie_flag: Annotated[Text, Field(json_schema_extra={"enum": ["", "E", "I"]})] = ""
    client_name: Text = ""
    exception_type: Annotated[Text, Field(json_schema_extra={
        "enum": ["modify_delete", "inspection", "rejection", "other"]})] = ""
    occurred_on: Text = ""
    post: Text = ""
    responsible: Text = ""
    penalized: Flag = False
    penalty_target: Text = ""
    status: Annotated[Text, Field(json_schema_extra={"enum": ["pending", "handling", "done"]})] = "pending"
    done_on: Text = ""
    reason: LongText = ""


class ExceptionCreateBody(ExceptionBody):
    """新增异常登记（kind：declaration 报关单异常 / bonded_list 核注清单异常）."""

    kind: Annotated[Text, Field(json_schema_extra={"enum": ["declaration", "bonded_list"]})] = "declaration"


class ExceptionUpdateBody(ExceptionBody):
    """修改异常登记：以 version 做并发校验."""

    version: BigInt = 0
    drop_attachment: Flag = False


class ExceptionStatusBody(Body):
    """变更处理状态（已完成时自动填写完成日期）."""

    status: Annotated[Text, Field(json_schema_extra={"enum": ["pending", "handling", "done"]})] = ""
    version: BigInt | None = None


class ExceptionIdsBody(Body):
    """勾选的异常记录."""

    ids: Ids = Field(default_factory=list)
    status: Text = ""


class ExceptionQuery(PageQuery):
    """异常列表的查询条件."""

    kind: Text = "declaration"
    number: Text = ""
    trade_name: Text = ""
    ie_flag: Text = ""
    exception_type: Text = ""
    status: Text = ""
    post: Text = ""
    responsible: Text = ""
    date_from: Text = ""
    date_to: Text = ""
    limit: Limit = 20

    def filter_args(self) -> dict[str, str]:
        return {key: value for key, value in self.model_dump(exclude={"cursor", "limit"}).items() if value}


class ErrorRateQuery(Body):
    """报关差错率的统计期间（年-月）."""

    date_from: Annotated[Text, Field(alias="from")] = ""
    date_to: Annotated[Text, Field(alias="to")] = ""


def _filter(description: str) -> Any:
    return Annotated[Text, Field(description=description)]


class DeclarationQueryFilter(PageQuery):
    """业务数据查询：筛选条件（均可不填）与分页."""

    date_from: _filter("最近操作时间起（YYYY-MM-DD）") = ""
    date_to: _filter("最近操作时间止（YYYY-MM-DD）") = ""
    status: Annotated[Text, Field(description="申报状态", json_schema_extra={"enum": [
        "", *(s.value for s in DeclarationStatus)]})] = ""
    kind: Annotated[Text, Field(description="报关单类型", json_schema_extra={"enum": [
        "", *(k.value for k in DeclarationKind)]})] = ""
    number: _filter("系统编号") = ""
    seq_no: _filter("统一编号") = ""
    entry_id: _filter("海关编号") = ""
    bill_no: _filter("提运单号") = ""
    trade: _filter("境内收发货人：18 位统一社会信用代码，或名称中的文字") = ""
    declare_office: _filter("申报地海关代码，如 0900") = ""
    trade_mode: _filter("监管方式代码，如 0110") = ""
    owner: _filter("制单人姓名中的文字") = ""
    limit: Annotated[Limit, Field(json_schema_extra={"minimum": 1, "maximum": 100, "default": 20})] = 20

    def filter_args(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump(exclude={"cursor", "limit"}).items() if v}


class DeclarationSelectionBody(Body):
    """提交审核：勾选的报关单."""

    ids: Ids = Field(default_factory=list)


class DeclarationImportBody(Body):
    """导入：按模板填写的 Excel 文件."""

    file: Upload = None  # read from request.files


class SyncTicketBody(Body):
    """按票同步: a declaration (统一编号 + 企业类别 + 报关单类型) or a bonded list (企业类型, 统一编号 or
    清单编号, 数据源, 进出口标志); ``target`` says which."""

    target: Text = "declarations"
    seq_no: Text = ""
    enterprise_category: Text = ""
    decl_type: Text = ""
    by: Text = "seq_no"
    number: Text = ""
    enterprise_role: Text = ""
    data_source: Text = ""
    ie_flag: Text = ""


class SyncDaysBody(Body):
    """按天同步 by 最近操作时间 (first–last): declarations (企业类别, 境内收发货人) or bonded lists (企业类型, 数据状态,
    进出口标志)."""

    target: Text = "declarations"
    first: Text = ""
    last: Text = ""
    enterprise_category: Text = ""
    trade_code: Text = ""
    enterprise_role: Text = ""
    data_status: Text = ""
    ie_flag: Text = ""


def _filter_field(key: str, label: str) -> tuple[Any, Any]:
    extra: dict[str, Any] = {"title": label}
    if key in CHOICES:
        extra["enum"] = ["", *CHOICES[key]]
        extra["description"] = "；".join(f"{k} {v}" for k, v in CHOICES[key].items())
    elif key.startswith("updated_"):
        extra["description"] = "日期，如 2026-03-02"
    return Annotated[Text, Field(json_schema_extra=extra)], ""


ReviewQuery: type[Body] = create_model(
    "DeclarationReviewQuery", __base__=PageQuery, __doc__="报关单审核列表的筛选条件（不合法的值在对应字段旁拒绝）",
    limit=(Limit, 20), **{key: _filter_field(key, label) for key, label in REVIEW_FILTER_FIELDS.items()})


class ReviewMarkBody(Body):
    """可视化审核：标记一个字段；seen 为页面上该字段最近一次标记的 id（无则 0），已过期返回 409 与该字段的最新状态."""

    documented_required = ("path", "mark")

    path: Annotated[Text, Field(description="字段路径，如 head.trade_mode、items[0].hs_code")] = ""
    mark: MarkState = MarkState.RIGHT
    comment: Annotated[Text, Field(description="意见（标为有误时必填）")] = ""
    seen: Annotated[int, Field(ge=0)] = 0


class ReviewApproveBody(Body):
    """审核通过：normal 普通审核，advanced 高级审核（全部字段均须标记）."""

    version: BigInt
    mode: ReviewMode = ReviewMode.NORMAL


class ReviewReturnBody(Body):
    """审核退回：标红的字段及意见即退回内容；无标红字段时须填写原因."""

    version: BigInt
    reason: LongText = ""


class ReviewExportQuery(Body):
    """单证复核记录导出：月份 YYYY-MM（默认本月）."""

    month: Annotated[Text, Field(description="月份，如 2026-03")] = ""
