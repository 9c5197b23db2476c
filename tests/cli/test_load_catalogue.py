"""`qingling load-data --catalogue FILE --version V` as an operator runs it, over a database holding library rows:
a catalogue already in effect re-checks the stored rows at once and tells each enterprise of its changed codes in
the message centre; run twice, it loads, re-checks and writes nothing more."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from core.config import DatabaseSettings
from models.cards import ModuleAuthorisation
from models.library import CatalogueChange, CatalogueVersion, LibraryRow
from models.messages import Message
from services.library.reference import CATALOGUES, DATA_DIR
from tests.cli.test_cli import run
from tests.factories import World
from tests.services.library.support import good_row, load_small_reference, upload
from tests.services.library.test_recheck import FURNITURE_SPEC, HORSE_SPEC


def next_year(folder: Path) -> Path:
    """2027: the whole 2026 catalogue, 8482101010 gaining 精度等级 and losing 结构类型, 9403609990 swapping 用途
    and 材质, 0101210010 gone."""
    with (DATA_DIR / CATALOGUES[0].file).open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = folder / "hs10_cn_2027.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            if row["hs_code"] == "0101210010":
                continue
            if row["hs_code"] in ("8482101010", "9403609990"):
                names = [part.split(":", 1)[1] for part in row["declaration_elements"].split(";")]
                if row["hs_code"] == "8482101010":
                    names.remove("结构类型")
                    names.insert(names.index("型号") + 1, "精度等级")
                else:
                    names[2], names[3] = names[3], names[2]
                row["declaration_elements"] = ";".join(f"{i}:{n}" for i, n in enumerate(names, start=1))
            writer.writerow(row)
    return out


async def test_loading_next_years_catalogue_rechecks_the_rows_and_tells_the_enterprise_once(
        db: DatabaseSettings, world: World, tmp_path: Path) -> None:
    (tmp_path / "small").mkdir()
    await load_small_reference(tmp_path / "small")  # the rows' catalogue: 2026
    await upload(world, tmp_path, [
        good_row(1), good_row(2, hs_code="8482101010"),
        good_row(3, hs_code="0101210010", goods_name="改良种用濒危野马", model_spec=HORSE_SPEC),
        good_row(4, hs_code="9403609990", goods_name="木家具", model_spec=FURNITURE_SPEC)])
    await ModuleAuthorisation.create(enterprise_id=world.acme.id, person_id=world.admin.person_id,
                                     module="declaration_library", legal_person_name="王法人", card_no="C1",
                                     card_fingerprint="f", granted_by_id=world.admin.person_id,
                                     granted_at=datetime(2026, 1, 1, tzinfo=UTC))
    catalogue = str(next_year(tmp_path))
    env = {"QINGLING_DATABASE_URL": db.url}
    args = ("load-data", "--catalogue", catalogue, "--version", "2027", "--effective-from", "2026-01-02")

    first = run(*args, env=env, timeout=300)

    assert first.returncode == 0, first.stderr
    assert "商品目录 2 版共 24059 个商品编号" in first.stdout
    assert "已按 2027 版目录重新校验：3 个商品编号申报要素有变化，4 条数据已校验，已通知 1 家企业" in first.stdout
    v2027 = await CatalogueVersion.get(code="2027")
    assert v2027.rechecked_at is not None
    assert dict(await LibraryRow.all().values_list("hs_code", "catalogue_change")) == {
        "8482102000": "", "8482101010": "gained,lost", "0101210010": "expired", "9403609990": "reordered"}
    message = await Message.get(person_id=world.admin.person_id)
    assert message.title == "商品目录2027版：贵企业3个商品编号的申报要素有变化"
    assert message.body.split("\n")[1:] == [
        "0101210010：已失效（2027版目录中无此编号）（1条）：/workbench/library?hs=0101210010",
        "8482101010：新增要素：精度等级；减少要素：结构类型（1条）：/workbench/library?hs=8482101010",
        "9403609990：要素顺序调整（1条）：/workbench/library?hs=9403609990"]

    again = run(*args, env=env, timeout=300)

    assert again.returncode == 0, again.stderr
    assert "商品目录 2 版共 24059 个商品编号" in again.stdout
    assert "2027 版目录已生效，规范申报库数据此前已按其校验" in again.stdout
    assert await Message.all().count() == 1 and await CatalogueChange.all().count() == 3
    assert await CatalogueVersion.all().count() == 2
