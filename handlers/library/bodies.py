"""The request bodies of the library pages and API: the filter (its rules are the service's ``LibraryFilter``),
the 自选 and public-flag changes (each with the row version it was read at)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from handlers.kit.bodies import Body, PageQuery
from handlers.kit.fields import BigInt, Flag, Limit, Text


class LibraryQuery(PageQuery):
    """规范申报库查询：筛选条件与分页."""

    mark: Annotated[Text, Field(description="standard 规范 / nonstandard 不规范 / matched 系统匹配 / chosen 企业自选",
                                json_schema_extra={"enum": ["", "standard", "nonstandard", "matched", "chosen"]})] = ""
    trade_mode: Annotated[Text, Field(description="监管方式代码，如 0110")] = ""
    hs_code: Annotated[Text, Field(description="商品编号（10位）或其4、6、8位前缀")] = ""
    ie_flag: Annotated[Text, Field(description="I 进口 / E 出口", json_schema_extra={"enum": ["", "I", "E"]})] = ""
    role: Annotated[Text, Field(description="本企业作为 declarant 申报单位 / consignee 收发货人；空为两者",
                                json_schema_extra={"enum": ["", "declarant", "consignee"]})] = ""
    date_from: Annotated[Text, Field(description="申报日期起（YYYY-MM-DD）")] = ""
    date_to: Annotated[Text, Field(description="申报日期止（YYYY-MM-DD）")] = ""
    keyword: Annotated[Text, Field(description="品名或规格型号中的关键字（如“轴承”）")] = ""
    limit: Annotated[Limit, Field(json_schema_extra={"minimum": 1, "maximum": 100, "default": 20})] = 20

    def filter_args(self) -> dict[str, Any]:
        return self.model_dump(exclude={"cursor", "limit"})


class ExportQuery(LibraryQuery):
    """导出：当前页（带 cursor 或第一页）或全部筛选结果."""

    all: Annotated[Flag, Field(description="导出全部筛选结果（否则仅当前页）")] = False


class ChooseBody(Body):
    """设为自选."""

    version: Annotated[BigInt, Field(description="读取该条数据时的版本号")]
    note: Annotated[Text, Field(description="备注（选填，300字以内）")] = ""


class VersionBody(Body):
    """取消自选."""

    version: Annotated[BigInt, Field(description="读取该条数据时的版本号")]


class PublicBody(Body):
    """设置公开状态."""

    version: Annotated[BigInt, Field(description="读取该条数据时的版本号")]
    public: Annotated[Flag, Field(description="true 公开 / false 不公开")] = False
