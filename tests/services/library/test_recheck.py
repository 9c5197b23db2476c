"""Loading next year's catalogue: once it is in effect every stored row is re-checked against it (set-based), the
rows record the version and their code's change, and each enterprise is told of ITS changed codes — gained,
lost, reordered elements, expired codes — once, with a link to the library filtered by each code."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from models.cards import ModuleAuthorisation
from models.library import CatalogueChange, CatalogueVersion, LibraryRow
from models.messages import Message
from services.kit.context import ServiceContext
from services.library.recheck import compare_elements, recheck_library
from services.library.reference import CATALOGUES, CatalogueSource, load_library_reference
from tests.factories import World
from tests.services.library.support import DECLARANT, good_row, small_data_dir, upload

DECEMBER = ServiceContext(clock=lambda: datetime(2026, 12, 20, 2, tzinfo=UTC))
JANUARY = ServiceContext(clock=lambda: datetime(2027, 1, 2, 2, tzinfo=UTC))
HORSE_SPEC = "0|3|是|蒙古野马|||"
FURNITURE_SPEC = "0|3|家用|松木|宜家|120cm|||"


def next_year(folder: Path) -> CatalogueSource:
    """2027 from the small 2026 file: 8482102000 unchanged, 8482101010 gains 精度等级 and loses 结构类型,
    9403609990 swaps 用途 and 材质, 0101210010 is gone."""
    with (folder / CATALOGUES[0].file).open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = folder / "hs10_cn_2027.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            names = [part.split(":", 1)[1] for part in row["declaration_elements"].split(";")]
            if row["hs_code"] == "0101210010":
                continue
            if row["hs_code"] == "8482101010":
                names.remove("结构类型")
                names.insert(names.index("型号") + 1, "精度等级")
            if row["hs_code"] == "9403609990":
                names[2], names[3] = names[3], names[2]
            row["declaration_elements"] = ";".join(f"{i}:{n}" for i, n in enumerate(names, start=1))
            writer.writerow(row)
    return CatalogueSource("2027", "2027年进出口税则商品编码及申报要素", date(2027, 1, 1), str(out))


@pytest.fixture
async def stored(world: World, tmp_path: Path) -> World:
    folder = small_data_dir(tmp_path)
    await load_library_reference(ServiceContext(), folder)
    await upload(world, tmp_path, [
        good_row(1), good_row(2, hs_code="8482101010"), good_row(3, hs_code="8482101010"),
        good_row(4, hs_code="0101210010", goods_name="改良种用濒危野马", model_spec=HORSE_SPEC),
        good_row(5, hs_code="9403609990", goods_name="木家具", model_spec=FURNITURE_SPEC,
                 declarant_code=world.solo.credit_code, consignee_code=DECLARANT)])
    await load_library_reference(ServiceContext(), folder, extra=(next_year(folder),))
    for enterprise, actor in ((world.acme, world.admin), (world.solo, world.solo_staff)):
        await ModuleAuthorisation.create(enterprise_id=enterprise.id, person_id=actor.person_id,
                                         module="declaration_library", legal_person_name="王法人", card_no="C1",
                                         card_fingerprint="f", granted_by_id=actor.person_id,
                                         granted_at=datetime(2026, 1, 1, tzinfo=UTC))
    return world


def test_the_element_comparison() -> None:
    assert compare_elements(["a", "b"], ["a", "b"]) is None
    assert compare_elements(["a", "b"], ["b", "a"]).kinds == "reordered"  # type: ignore[union-attr]
    change = compare_elements(["a", "b", "c"], ["a", "c", "d"])
    assert change is not None and (change.gained, change.lost, change.kinds) == (["d"], ["b"], "gained,lost")
    assert compare_elements(["a"], None).kinds == "expired"  # type: ignore[union-attr]


async def test_rows_are_rechecked_once_the_new_version_is_in_effect(stored: World) -> None:
    await recheck_library(DECEMBER)  # 2026 still in effect: nothing changes
    v2026, v2027 = await CatalogueVersion.all().order_by("code")
    assert set(await LibraryRow.all().values_list("catalogue_version_id", flat=True)) == {v2026.id}

    report = await recheck_library(JANUARY)

    assert report is not None and (report.version, report.changed_codes, report.rows, report.enterprises_told) == (
        "2027", 3, 5, 2)
    rows = dict(await LibraryRow.all().values_list("hs_code", "catalogue_change"))
    assert rows == {"8482102000": "", "8482101010": "gained,lost", "0101210010": "expired",
                    "9403609990": "reordered"}
    assert set(await LibraryRow.all().values_list("catalogue_version_id", flat=True)) == {v2027.id}
    change = await CatalogueChange.get(hs_code="8482101010")
    assert (change.gained, change.lost, change.from_version_id) == (["精度等级"], ["结构类型"], v2026.id)


async def test_each_enterprise_hears_of_its_own_codes_with_links(stored: World) -> None:
    await recheck_library(JANUARY)

    acme = await Message.get(person_id=stored.admin.person_id)
    assert acme.title == "商品目录2027版：贵企业2个商品编号的申报要素有变化"
    assert acme.body.split("\n")[1:] == [
        "0101210010：已失效（2027版目录中无此编号）（1条）：/workbench/library?hs=0101210010",
        "8482101010：新增要素：精度等级；减少要素：结构类型（2条）：/workbench/library?hs=8482101010",
    ]
    solo = await Message.get(person_id=stored.solo_staff.person_id)
    assert solo.body.split("\n")[1:] == ["9403609990：要素顺序调整（1条）：/workbench/library?hs=9403609990"]
    assert await Message.all().count() == 2  # nobody else is authorised


async def test_running_again_changes_and_writes_nothing(stored: World) -> None:
    await recheck_library(JANUARY)
    assert await recheck_library(JANUARY) is None
    await CatalogueVersion.filter(code="2027").update(rechecked_at=None)  # as if the first run died at its end

    again = await recheck_library(JANUARY)

    assert again is not None and (again.rows, again.enterprises_told) == (0, 0)
    assert await Message.all().count() == 2 and await CatalogueChange.all().count() == 3
