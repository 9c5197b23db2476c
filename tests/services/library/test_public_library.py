"""The public library: public 规范 rows only, of HS codes that at least ``min_enterprises`` enterprises declared
publicly (2 is too few, 3 is enough), the same filters, and nothing of who declared a row."""

from __future__ import annotations

import importlib
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest

from models.errors import NotFound
from models.library import LibraryMark, LibrarySource
from services.library.filters import LibraryFilter
from services.library.public import VISIBLE, PublicRow, access_public_row, public_rows
from tests.factories import World
from tests.services.library.library_rows import OTHERS, item, put
from tests.services.library.support import load_small_reference


@pytest.fixture
async def reference(db: object, tmp_path: Path) -> None:
    await load_small_reference(tmp_path)


async def codes(min_enterprises: int = 3, **args: str) -> list[str]:
    found = await public_rows(LibraryFilter.from_args(args), min_enterprises, limit=100)
    return [f"{r.hs_code}:{r.goods_name}" for r in found.items]


async def test_an_hs_code_shows_only_when_three_enterprises_declared_it_publicly(reference: None) -> None:
    await put(item(1, OTHERS[0]), item(2, OTHERS[1]), item(3, OTHERS[1]),  # 8482102000: two enterprises
              item(4, OTHERS[0], hs_code="9403609990", goods_name="办公桌"),
              item(5, OTHERS[1], hs_code="9403609990", goods_name="办公桌"),
              item(6, OTHERS[2], hs_code="9403609990", goods_name="办公桌"))
    assert await codes() == ["9403609990:办公桌"] * 3
    assert len(await codes(2)) == 6
    rows = await put(item(7, OTHERS[2]))  # the third enterprise of 8482102000
    assert len(await codes()) == 7
    assert (await access_public_row(rows[0].id, 3)).id == rows[0].id


async def test_only_public_standard_rows_count_and_show(reference: None) -> None:
    await put(item(1, OTHERS[0]), item(2, OTHERS[1]),
              item(3, OTHERS[2], public=False),  # withdrawn: neither shown nor counted
              item(4, OTHERS[3], mark=LibraryMark.NONSTANDARD),
              item(5, OTHERS[4], source=LibrarySource.DECLARED, mark=LibraryMark.MATCHED))
    assert await codes() == []
    hidden = await put(item(4, OTHERS[3], mark=LibraryMark.NONSTANDARD))
    with pytest.raises(NotFound):
        await access_public_row(hidden[0].id, 1)
    await put(item(6, OTHERS[4]))
    assert len(await codes()) == 3
    assert len(await codes(1)) == 3  # the withdrawn and the 不规范 rows never show


async def test_the_public_filters(reference: None) -> None:
    await put(*[item(n, OTHERS[n % 3], ie_flag="IE"[n % 2], declared_on=date(2026, 3, n), trade_mode="0110")
                for n in range(1, 7)],
              *[item(n, OTHERS[n % 3], hs_code="8482101010", goods_name="调心滚子轴承") for n in range(7, 10)])
    assert len(await codes(hs_code="8482")) == 9
    assert len(await codes(hs_code="84821010")) == 3
    assert len(await codes(ie_flag="I")) == 3
    assert len(await codes(keyword="调心")) == 3
    assert len(await codes(keyword="轴承", date_from="2026-03-04", date_to="2026-03-05")) == 2
    assert len(await codes(trade_mode="0214")) == 0
    assert len(await codes(mark="nonstandard", role="declarant")) == 9  # not the public library's filters


async def test_under_an_hs_filter_each_code_of_its_range_passes_the_threshold_alone(reference: None) -> None:
    await put(*[item(n, OTHERS[n % 3]) for n in range(1, 4)],  # 8482102000: three enterprises
              *[item(n, OTHERS[n % 2], hs_code="8482101010", goods_name="调心滚子轴承") for n in range(4, 8)],
              item(8, OTHERS[0], public=False, hs_code="8482101010", goods_name="调心滚子轴承"))  # two: hidden
    assert sorted(set(await codes(hs_code="8482"))) == ["8482102000:深沟球轴承"]
    assert len(await codes(hs_code="848210")) == len(await codes(hs_code="8482102000")) == 3
    assert await codes(hs_code="8482101010") == await codes(hs_code="84821010") == []
    assert len(await codes(2, hs_code="84821010")) == 4
    assert await codes(hs_code="9403") == []


def test_a_public_row_carries_nothing_of_who_declared_it() -> None:
    names = {f.name for f in fields(PublicRow)}
    assert names.isdisjoint({"entry_number", "declarant_code", "declarant_name", "consignee_code",
                             "consignee_name", "declarant_enterprise_id", "consignee_enterprise_id", "remarks"})


async def test_the_threshold_is_the_callers(world: World, reference: None) -> None:
    await put(item(1, world.acme.credit_code), item(2, world.solo.credit_code))
    assert len(await codes(2)) == 2 and await codes(3) == []


def test_the_partial_indexes_carry_the_public_predicate_the_queries_write() -> None:
    for name in ("0022_library_public", "0030_library_public_hs_date"):
        assert importlib.import_module(f"models.migrations.{name}").VISIBLE == VISIBLE


async def test_a_minimum_of_one_shows_every_visible_row(reference: None) -> None:
    await put(item(1, OTHERS[0]), item(2, OTHERS[1], hs_code="9403609990", goods_name="办公桌"))
    assert sorted(await codes(1)) == ["8482102000:深沟球轴承", "9403609990:办公桌"]
    assert await codes(0) == await codes(1)
