"""The upload template's 25 columns (the Excel kit's column specs), shared by the template, the reader, the error
workbook and the export of stored rows; and the code table behind each coded column."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from services.kit.excel import Column, Kind

# (key, header, kind, required, width, code table)
_SPECS: tuple[tuple[str, str, Kind, bool, float, str | None], ...] = (
    ("entry_number", "海关编号", Kind.TEXT, True, 22, None),
    ("item_number", "项号", Kind.INTEGER, True, 6, None),
    ("declared_on", "申报日期", Kind.DATE, True, 12, None),
    ("ie_flag", "进出口标志", Kind.TEXT, True, 10, None),
    ("trade_mode", "监管方式", Kind.TEXT, True, 18, "trade_mode"),
    ("customs_office", "申报地海关", Kind.TEXT, True, 18, "customs_office"),
    ("transport_mode", "运输方式", Kind.TEXT, False, 14, "transport_mode"),
    ("transaction_mode", "成交方式", Kind.TEXT, False, 10, "transaction_mode"),
    ("hs_code", "商品编号", Kind.TEXT, True, 13, None),
    ("goods_name", "商品名称", Kind.TEXT, True, 20, None),
    ("model_spec", "规格型号", Kind.TEXT, False, 40, None),
    ("declarant_code", "申报单位统一社会信用代码", Kind.TEXT, True, 22, None),
    ("declarant_name", "申报单位名称", Kind.TEXT, True, 24, None),
    ("consignee_code", "收发货人统一社会信用代码", Kind.TEXT, True, 22, None),
    ("consignee_name", "收发货人名称", Kind.TEXT, True, 24, None),
    ("origin_country", "原产国（地区）", Kind.TEXT, False, 14, "country"),
    ("destination_country", "最终目的国（地区）", Kind.TEXT, False, 14, "country"),
    ("quantity", "成交数量", Kind.NUMBER, False, 10, None),
    ("unit", "成交计量单位", Kind.TEXT, False, 12, "unit"),
    ("legal_quantity", "法定第一数量", Kind.NUMBER, False, 10, None),
    ("legal_unit", "法定第一计量单位", Kind.TEXT, False, 12, "unit"),
    ("total_price", "总价", Kind.NUMBER, False, 12, None),
    ("currency", "币制", Kind.TEXT, False, 10, "currency"),
    ("conclusion", "审核结论", Kind.TEXT, False, 10, None),  # 审核数据 only: 规范 / 不规范
    ("remarks", "审核意见", Kind.TEXT, False, 30, None),
)

COLUMNS: tuple[Column[Any], ...] = tuple(
    Column[Any](header, attrgetter(key), kind, width, required, key)
    for key, header, kind, required, width, _ in _SPECS)
HEADERS = {key: header for key, header, *_ in _SPECS}
CODED = {key: table for key, _, _, _, _, table in _SPECS if table}  # column key -> code table
IE_VALUES = ("I", "E")  # the drop-down of 进出口标志 (the reader also takes 进口 / 出口)
CONCLUSION_VALUES = ("规范", "不规范")
