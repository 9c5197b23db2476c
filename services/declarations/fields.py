"""The declaration form's fields as data (from the standard message's field list, ``xml`` naming its element), and
the one parser of what was typed.

Every field of the head, an item, a container and an attached document is a ``FieldSpec``: the pages draw the
form from these lists, the API documents them, ``parse_form`` turns typed text into typed values and
``services.declarations.checks`` checks them. A field's error is keyed by its path: ``trade_mode`` on the head,
``items[0].quantity``, ``containers[1].container_no``, ``documents[0].code``.

Parsing refuses only what cannot be stored (a number that is not one, a text too long): a draft may be incomplete.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from models.errors import ValidationFailed
from services.declarations import labels as L


class Kind(StrEnum):
    TEXT = "text"
    CODE = "code"  # an item of ``table``
    DECIMAL = "decimal"
    INTEGER = "integer"
    DATE = "date"


C, D, N, T = Kind.CODE, Kind.DECIMAL, Kind.INTEGER, Kind.DATE


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: Kind = Kind.TEXT
    table: str = ""
    required: bool = False
    max_length: int = 255
    xml: str = ""  # the standard message's element
    column: bool = False  # a typed column of ``declaration`` (filtered on); else in ``head``
    transit: bool = False  # only on the 转关 kinds
    choices: tuple[tuple[str, str], ...] = ()  # a short fixed list (code, label), chosen from a select
    signed: bool = False  # a number that may be negative (杂费: a deduction is a negative value or rate)


def _f(key: str, label: str, kind: Kind = Kind.TEXT, table: str = "", *, req: bool = False, size: int = 255,
       xml: str = "", column: bool = False, transit: bool = False, choices: tuple[tuple[str, str], ...] = (),
       signed: bool = False) -> FieldSpec:
    return FieldSpec(key, label, kind, table, req, size, xml, column, transit, choices, signed)


# 运费 / 保费 / 杂费: each a mark (1 率, 2 单价, 3 总价), a value and a currency, as in the standard message
# (FeeMark / FeeRate / FeeCurr, InsurMark …, OtherMark …).
FEE_MARKS: tuple[tuple[str, str], ...] = (("1", "率"), ("2", "单价"), ("3", "总价"))
FEES: tuple[tuple[str, str, str], ...] = (("fee", "运费", "Fee"), ("insur", "保费", "Insur"),
                                          ("other", "杂费", "Other"))


def _fee_fields() -> tuple[FieldSpec, ...]:
    return tuple(spec for key, label, xml in FEES for spec in (
        _f(f"{key}_mark", f"{label}标记", size=1, xml=f"{xml}Mark", choices=FEE_MARKS),
        _f(f"{key}_rate", label, D, xml=f"{xml}Rate", signed=key == "other"),
        _f(f"{key}_curr", f"{label}币制", C, "currency", size=3, xml=f"{xml}Curr")))


HEAD_FIELDS: tuple[FieldSpec, ...] = (
    _f("declare_office", "申报地海关", C, "customs_office", req=True, size=4, xml="CustomMaster", column=True),
    _f("ie_port", "出境关别", C, "customs_office", req=True, size=4, xml="IEPort", column=True),
    _f("trade_mode", "监管方式", C, "trade_mode", req=True, size=4, xml="TradeMode", column=True),
    _f("bill_no", "提运单号", size=50, xml="BillNo", column=True),
    _f("trade_code", "境内发货人代码", req=True, size=18, xml="TradeCoScc", column=True),
    _f("trade_name", "境内发货人名称", req=True, xml="TradeName", column=True),
    _f("overseas_consignee", "境外收货人", req=True, xml="OverseasConsigneeEname"),
    _f("owner_code", "生产销售单位代码", size=18, xml="OwnerCodeScc"),
    _f("owner_name", "生产销售单位名称", req=True, xml="OwnerName"),
    _f("agent_code", "申报单位代码", size=18, xml="AgentCodeScc"),
    _f("agent_name", "申报单位名称", xml="AgentName"),
    _f("contract_no", "合同协议号", req=True, size=32, xml="ContrNo"),
    _f("ie_date", "出口日期", T, xml="IEDate"),
    _f("traf_mode", "运输方式", C, "transport_mode", req=True, size=1, xml="TrafMode"),
    _f("traf_name", "运输工具名称及航次号", size=64, xml="TrafName"),
    _f("cut_mode", "征免性质", C, "levy_nature", size=3, xml="CutMode"),
    _f("license_no", "许可证号", size=20, xml="LicenseNo"),
    _f("manual_no", "备案号", size=12, xml="ManualNo"),
    _f("trade_country", "贸易国（地区）", C, "country", req=True, size=3, xml="TradeAreaCode"),
    _f("destination_country", "运抵国（地区）", C, "country", req=True, size=3, xml="TradeCountry"),
    _f("distinate_port", "指运港", C, "port", req=True, size=6, xml="DistinatePort"),
    _f("desp_port", "离境口岸", C, "domestic_port", req=True, size=6, xml="DespPortCode"),
    _f("wrap_type", "包装种类", C, "package_type", req=True, size=2, xml="WrapType"),
    _f("pack_no", "件数", N, req=True, xml="PackNo"),
    _f("gross_weight", "毛重（千克）", D, req=True, xml="GrossWet"),
    _f("net_weight", "净重（千克）", D, req=True, xml="NetWt"),
    _f("trans_mode", "成交方式", C, "transaction_mode", req=True, size=1, xml="TransMode"),
    *_fee_fields(),
    _f("mark_no", "标记唛码", size=400, xml="MarkNo"),
    _f("note_s", "备注", xml="NoteS"),
    _f("transit_traf_mode", "境内运输方式", C, "transport_mode", req=True, size=1, transit=True),
    _f("transit_traf_name", "境内运输工具名称", req=True, size=64, transit=True),
    _f("transit_voyage", "境内航次号", size=32, transit=True),
)
ITEM_FIELDS: tuple[FieldSpec, ...] = (
    _f("hs_code", "商品编号", req=True, size=10, xml="CodeTS"),
    _f("goods_name", "商品名称", req=True, xml="GName"),
    _f("model_spec", "规格型号", req=True, size=2000, xml="GModel"),
    _f("quantity", "成交数量", D, req=True, xml="GQty"),
    _f("unit", "成交计量单位", C, "unit", req=True, size=3, xml="GUnit"),
    _f("legal_quantity", "法定第一数量", D, req=True, xml="FirstQty"),
    _f("legal_unit", "法定第一计量单位", C, "unit", req=True, size=3, xml="FirstUnit"),
    _f("second_quantity", "法定第二数量", D, xml="SecondQty"),
    _f("second_unit", "法定第二计量单位", C, "unit", size=3, xml="SecondUnit"),
    _f("price", "单价", D, req=True, xml="DeclPrice"),
    _f("total", "总价", D, req=True, xml="DeclTotal"),
    _f("currency", "币制", C, "currency", req=True, size=3, xml="TradeCurr"),
    _f("origin_country", "原产国（地区）", C, "country", req=True, size=3, xml="OriginCountry"),
    _f("destination_country", "最终目的国（地区）", C, "country", req=True, size=3, xml="DestinationCountry"),
    _f("district_code", "境内货源地", C, "domestic_area", req=True, size=5, xml="DistrictCode"),
    _f("duty_mode", "征免方式", C, "levy_mode", req=True, size=1, xml="DutyMode"),
)
CONTAINER_FIELDS: tuple[FieldSpec, ...] = (
    _f("container_no", "集装箱号", req=True, size=11, xml="ContainerId"),
    _f("spec", "集装箱规格", C, "container_spec", req=True, size=2, xml="ContainerMd"),
    _f("weight", "自重（千克）", D, xml="ContainerWt"),
    _f("goods_numbers", "商品项号", size=100, xml="GoodsNo"),
)
DOCUMENT_FIELDS: tuple[FieldSpec, ...] = (
    _f("code", "随附单证代码", C, "attached_document", req=True, size=4, xml="DocuCode"),
    _f("number", "随附单证编号", req=True, size=64, xml="CertCode"),
)
HEAD_COLUMNS = tuple(spec.key for spec in HEAD_FIELDS if spec.column)
PARTS: Mapping[str, tuple[FieldSpec, ...]] = {"items": ITEM_FIELDS, "containers": CONTAINER_FIELDS,
                                               "documents": DOCUMENT_FIELDS}
# The code tables the form draws from (the lookup API answers only these).
FORM_TABLES = frozenset(spec.table for specs in (HEAD_FIELDS, *PARTS.values()) for spec in specs if spec.table)
MAX_ROWS = 999
Values = dict[str, Any]


@dataclass(frozen=True)
class DeclarationForm:
    """The typed content of a declaration: the head, and the rows of each part (an item's ``elements`` are the
    parts of its 规格型号)."""

    head: Values
    items: list[Values] = field(default_factory=list)
    containers: list[Values] = field(default_factory=list)
    documents: list[Values] = field(default_factory=list)

    def part(self, name: str) -> list[Values]:
        rows: list[Values] = getattr(self, name)
        return rows


def path(part: str, index: int, key: str) -> str:
    return f"{part}[{index}].{key}"


def typed_value(spec: FieldSpec, raw: Any) -> Any:
    """The typed value of one field (None or "" when empty), or ValueError with the Chinese reason."""
    text = "" if raw is None else str(raw).strip()
    if spec.kind is Kind.CODE and len(text) > spec.max_length:
        raise ValueError(L.MSG_CODE_TOO_LONG.format(label=spec.label, size=spec.max_length))
    if spec.kind is Kind.CODE:
        return text.upper()
    if spec.kind is Kind.TEXT:
        if len(text) > spec.max_length:
            raise ValueError(L.MSG_TOO_LONG.format(label=spec.label, size=spec.max_length))
        return text
    if not text:
        return None
    if spec.kind is Kind.DATE:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(L.MSG_DATE.format(label=spec.label)) from None
    if spec.kind is Kind.INTEGER:
        if not re.fullmatch(r"\d{1,9}", text):
            raise ValueError(L.MSG_INTEGER.format(label=spec.label))
        return int(text)
    message = L.MSG_SIGNED_DECIMAL if spec.signed else L.MSG_DECIMAL
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(message.format(label=spec.label)) from None
    if not number.is_finite() or (number < 0 and not spec.signed) or abs(number) >= Decimal("1e13") \
            or number.as_tuple().exponent < -5:  # type: ignore[operator]
        raise ValueError(message.format(label=spec.label))
    return number


def _values(specs: Sequence[FieldSpec], raw: Mapping[str, Any], prefix: str, errors: dict[str, str]) -> Values:
    out: Values = {}
    for spec in specs:
        try:
            out[spec.key] = typed_value(spec, raw.get(spec.key))
        except ValueError as error:
            errors[prefix + spec.key] = str(error)
            out[spec.key] = raw.get(spec.key)
    return out


def plain(number: Decimal) -> Decimal:
    """The number without trailing zeros and never in exponent form (100, not 1E+2)."""
    short = number.normalize()
    return short.quantize(Decimal(1)) if short == short.to_integral_value() else short


def split_elements(model_spec: str) -> list[str]:
    """The parts of a 规格型号 in the standard `|` form."""
    return [part.strip() for part in model_spec.split("|")] if model_spec.strip() else []


def join_elements(elements: Sequence[str]) -> str:
    """The standard form: the parts in catalogue order joined by `|` (trailing empty parts kept: their positions
    are the catalogue's)."""
    return "|".join(part.strip().replace("|", "/") for part in elements)


def spec_elements(model_spec: Any) -> tuple[list[str], str]:
    """A typed 规格型号's elements and its standard form."""
    elements = split_elements(str(model_spec or ""))
    return elements, join_elements(elements)


def parse_form(head: Mapping[str, Any], parts: Mapping[str, Sequence[Mapping[str, Any]]]) -> DeclarationForm:
    """Typed values of everything typed, or ValidationFailed naming every field that cannot be stored. An item
    gives its elements as ``elements`` (a list) or as the joined ``model_spec``."""
    errors: dict[str, str] = {}
    typed_head = _values(HEAD_FIELDS, head, "", errors)
    typed: dict[str, list[Values]] = {}
    for name, specs in PARTS.items():
        rows = list(parts.get(name) or [])
        if len(rows) > MAX_ROWS:
            errors[name] = L.MSG_TOO_MANY_ROWS.format(count=MAX_ROWS)
            rows = rows[:MAX_ROWS]
        typed[name] = [_values(specs, row, path(name, i, ""), errors) for i, row in enumerate(rows)]
    for item, row in zip(typed["items"], parts.get("items") or [], strict=False):
        elements = row.get("elements")
        if isinstance(elements, list):
            item["elements"] = [str(e or "").strip() for e in elements]
            item["model_spec"] = join_elements(item["elements"])
        else:
            item["elements"], item["model_spec"] = spec_elements(item.get("model_spec"))
    if errors:
        raise ValidationFailed.of(errors)
    return DeclarationForm(typed_head, typed["items"], typed["containers"], typed["documents"])


def as_text(value: Any) -> str:
    """How a typed value reads in a form field."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(plain(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def form_text(form: DeclarationForm) -> tuple[dict[str, str], dict[str, list[dict[str, str]]]]:
    """The form's head and parts as the text of their fields (an item's ``elements`` stay a list)."""
    head = {key: as_text(value) for key, value in form.head.items()}
    parts = {name: [{key: value if key == "elements" else as_text(value) for key, value in row.items()}
                    for row in form.part(name)] for name in PARTS}
    return head, parts
