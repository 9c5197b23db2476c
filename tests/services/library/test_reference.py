"""Loading the library's reference data: the full 2026 catalogue and the code tables, counted; twice is once."""

from __future__ import annotations

from typing import Any

from models.library import CatalogueVersion, CodeItem, CodeTable, HsCode
from services.kit.context import ServiceContext
from services.library.reference import load_library_reference, parse_elements

TABLE_SIZES = {"trade_mode": 102, "customs_office": 1160, "country": 265, "currency": 22, "unit": 123,
               "transport_mode": 18, "transaction_mode": 7, "brand_type": 5, "export_preference": 4,
               "levy_nature": 72, "levy_mode": 9, "port": 4270, "domestic_port": 1313, "domestic_area": 983,
               "package_type": 14, "container_spec": 9, "attached_document": 53}


async def _snapshot() -> dict[str, Any]:
    return {
        "versions": await CatalogueVersion.all().values("id", "code", "loaded_at"),
        "hs": await HsCode.all().order_by("id").values_list("id", "code", "name", "elements"),
        "items": await CodeItem.all().order_by("id").values_list("id", "table_id", "code", "name", "sort"),
    }


async def test_the_catalogue_and_code_tables_load_counted_and_a_second_load_changes_nothing(db: object) -> None:
    steps: list[tuple[int, int]] = []
    report = await load_library_reference(ServiceContext(), progress=lambda done, total: steps.append((done, total)))

    assert (report.catalogues, report.hs_codes, report.code_tables) == (1, 12030, len(TABLE_SIZES))
    assert report.code_items == sum(TABLE_SIZES.values())
    assert steps[-1] == (12030 + sum(TABLE_SIZES.values()),) * 2
    sizes = {t.code: await CodeItem.filter(table_id=t.id).count() for t in await CodeTable.all()}
    assert sizes == TABLE_SIZES
    bearing = await HsCode.get(code="8482102000")
    assert bearing.name == "深沟球轴承" and bearing.unit1 == "套"
    assert [e["name"] for e in bearing.elements] == [
        "品牌类型", "出口享惠情况", "结构类型", "品牌（中文或外文名称）", "型号", "GTIN", "CAS", "其他"]
    assert [e["required"] for e in bearing.elements] == [True, True, True, True, True, False, False, False]
    assert bearing.elements[0]["table"] == "brand_type" and bearing.elements[1]["table"] == "export_preference"
    assert await CodeItem.filter(table__code="customs_office", code="0000").count() == 0
    assert await CodeItem.filter(table__code="unit", code="035").values_list("name", flat=True) == ["千克"]

    before = await _snapshot()
    again = await load_library_reference(ServiceContext())
    assert again == report
    assert await _snapshot() == before


async def test_a_changed_source_row_is_updated_in_place(db: object) -> None:
    await load_library_reference(ServiceContext())
    bearing = await HsCode.get(code="8482102000")
    await HsCode.filter(id=bearing.id).update(name="旧名称", elements=[])

    await load_library_reference(ServiceContext())

    again = await HsCode.get(code="8482102000")
    assert (again.id, again.name, len(again.elements)) == (bearing.id, "深沟球轴承", 8)


def test_elements_parse_in_order_with_optional_ones_and_none() -> None:
    assert parse_elements("无") == []
    found = parse_elements("1:品牌类型;2:出口享惠情况;3:如有底宽，填报底宽长度;4:用途;5:GTIN")
    assert [(e["name"], e["required"], e["table"]) for e in found] == [
        ("品牌类型", True, "brand_type"), ("出口享惠情况", True, "export_preference"),
        ("如有底宽，填报底宽长度", False, None), ("用途", True, None), ("GTIN", False, None)]
