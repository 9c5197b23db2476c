"""The enterprise and public libraries over HTTP: the card lock explained on the desktop, H5 and API; the
permission; the enterprise's rows on every page, API and export and never another's; filters with their errors
beside the fields; 申报要素详情; 设为自选 / 取消自选 and the public flag through the forms and the API (a stale
version refused); the anonymous public library without enterprise data."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.library import LibraryMark, LibraryRow, LibrarySource
from models.workspace import RoleGrant, WorkspaceRole
from services.workspace.permissions import bump_version
from tests.factories import World
from tests.http.support import Site
from tests.services.library.library_rows import OTHERS, authorise, item, put
from tests.services.library.support import load_small_reference

LOCKED = "尚未获得法人卡授权，无法使用规范申报企业专属库"


@pytest.fixture
async def rows(site: Site, world: World, tmp_path: Path) -> list[LibraryRow]:
    await load_small_reference(tmp_path)
    acme, solo = world.acme.credit_code, world.solo.credit_code
    return await put(item(1, acme), item(2, acme, source=LibrarySource.DECLARED, mark=LibraryMark.MATCHED,
                                         goods_name="圆锥滚子轴承"),
                     item(3, acme, mark=LibraryMark.NONSTANDARD, remarks="型号应按实际申报"),
                     item(4, solo, consignee_name="辽宁单人贸易有限公司"), item(5, OTHERS[0]), item(6, OTHERS[1]))


async def test_the_card_lock_is_explained_on_every_door(site: Site, world: World, rows: list[LibraryRow]) -> None:
    admin = await site.browser(world.admin)  # holds every code, not yet authorised by the card
    for path in ("/workbench/library", "/h5/library", f"/workbench/library/{rows[0].id}", "/workbench/library/export"):
        locked = await admin.get(path)
        assert locked.status_code == 403 and LOCKED in locked.text and "法人卡授权" in locked.text, path
    api = await site.api(world.staff)
    refused = await api.get("/api/v1/workspace/library")
    assert refused.status_code == 403 and refused.json()["error"]["message"] == LOCKED
    assert 'href="/h5/card/authorisations"' in (await admin.get("/workbench/library")).text
    assert 'href="/h5/card/authorisations"' not in (await (await site.browser(world.staff)).get("/h5/library")).text


async def test_without_the_permission_the_library_is_refused(site: Site, world: World,
                                                            rows: list[LibraryRow]) -> None:
    await authorise(world.staff, world.acme.id, world.admin)
    now = site.app.ctx.services.now()
    role = await WorkspaceRole.create(enterprise_id=world.acme.id, name="只看消息", codes=["message:view"],
                                      created_at=now, updated_at=now)
    await RoleGrant.create(person_id=world.staff.person_id, role=role, valid_from=now, granted_at=now)
    await WorkspaceRole.create(enterprise_id=world.acme.id, name="关务人员", builtin="staff", codes=[],
                               created_at=now, updated_at=now)
    await bump_version(site.app.ctx.cache, world.acme.id)
    staff = await site.browser(world.staff)
    assert (await staff.get("/workbench/library")).status_code == 403
    assert (await staff.get("/h5/library")).status_code == 403
    assert (await (await site.api(world.staff)).get("/api/v1/workspace/library")).status_code == 403


async def test_the_desktop_list_filters_details_and_export_hold_only_the_enterprises_rows(
        site: Site, world: World, rows: list[LibraryRow]) -> None:
    await authorise(world.staff, world.acme.id, world.admin)
    staff = await site.browser(world.staff)
    listing = await staff.get("/workbench/library")
    assert listing.status_code == 200
    assert rows[0].entry_number in listing.text and rows[2].entry_number in listing.text
    assert all(r.entry_number not in listing.text for r in rows[3:])
    assert "辽宁单人贸易有限公司" not in listing.text and "系统匹配" in listing.text and "设为自选" in listing.text
    assert rows[1].entry_number not in (await staff.get("/workbench/library?mark=standard")).text
    assert rows[1].entry_number in (await staff.get("/workbench/library?keyword=圆锥")).text
    assert rows[0].entry_number not in (await staff.get("/workbench/library?keyword=圆锥")).text

    bad = await staff.get("/workbench/library?hs_code=848&date_from=2026-03-05&date_to=2026-03-01&keyword=轴承")
    assert bad.status_code == 400
    assert 'id="err-hs_code">商品编号应为4、6、8或10位数字' in bad.text
    assert 'id="err-date_to">开始日期不能晚于结束日期' in bad.text and 'value="轴承"' in bad.text

    details = await staff.get(f"/workbench/library/{rows[2].id}")
    assert details.status_code == 200 and "品牌（中文或外文名称）" in details.text
    assert "型号应按实际申报" in details.text
    assert "按2026版商品目录" in details.text
    assert (await staff.get(f"/workbench/library/{rows[3].id}")).status_code == 404  # another enterprise's

    assert (await staff.get("/workbench/library/export")).status_code == 403  # staff do not hold library:export
    await authorise(world.admin, world.acme.id, world.admin)
    admin = await site.browser(world.admin)
    for query, count in (("", 3), ("&all=1", 3), ("&all=1&mark=nonstandard", 1)):
        exported = await admin.get(f"/workbench/library/export?role={query}")
        assert exported.status_code == 200, query
        sheet = load_workbook(io.BytesIO(exported.content)).active
        entries = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
        assert len(entries) == count and not set(entries) & {r.entry_number for r in rows[3:]}


async def test_choose_undo_and_the_public_flag_through_the_forms(site: Site, world: World,
                                                                rows: list[LibraryRow]) -> None:
    await authorise(world.staff, world.acme.id, world.admin)
    staff = await site.browser(world.staff)
    matched, standard = rows[1], rows[0]
    chosen = await staff.post_form(f"/h5/library/{matched.id}/choose", {"version": "1", "note": "按合同型号",
                                                                        "back": f"/h5/library/{matched.id}"})
    assert chosen.status_code == 303 and chosen.headers["location"] == f"/h5/library/{matched.id}"
    page = await staff.get(f"/h5/library/{matched.id}")
    assert "企业自选" in page.text and "自选备注：按合同型号" in page.text and "取消自选" in page.text
    stale = await staff.post_form(f"/workbench/library/{matched.id}/unchoose", {"version": "1"})
    assert stale.status_code == 409 and "该数据刚被他人修改，请刷新后重试" in stale.text
    undone = await staff.post_form(f"/workbench/library/{matched.id}/unchoose", {"version": "2"})
    assert undone.status_code == 303 and (await LibraryRow.get(id=matched.id)).mark is LibraryMark.MATCHED
    too_long = await staff.post_form(f"/workbench/library/{matched.id}/choose", {"version": "3", "note": "长" * 301})
    assert too_long.status_code == 400 and 'id="err-note">备注不能超过300个字' in too_long.text

    withdrawn = await staff.post_form(f"/workbench/library/{standard.id}/public", {"version": "1"})
    assert withdrawn.status_code == 303 and not (await LibraryRow.get(id=standard.id)).public
    refused = await staff.post_form(f"/workbench/library/{rows[2].id}/public", {"version": "1", "public": "1"})
    assert refused.status_code == 409 and "只有规范数据可以设置公开状态" in refused.text


async def test_the_api_lists_details_and_changes_the_enterprises_rows(site: Site, world: World,
                                                                     rows: list[LibraryRow]) -> None:
    await authorise(world.staff, world.acme.id, world.admin)
    api = await site.api(world.staff)
    first = (await api.get("/api/v1/workspace/library", params={"limit": 2})).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = (await api.get("/api/v1/workspace/library", params={"limit": 2, "cursor": first["next_cursor"]})).json()
    seen = [i["entry_number"] for i in first["items"] + rest["items"]]
    assert sorted(seen) == sorted(r.entry_number for r in rows[:3]) and rest["next_cursor"] is None
    bad = await api.get("/api/v1/workspace/library", params={"hs_code": "12", "mark": "x"})
    assert bad.status_code == 400 and bad.json()["error"]["fields"] == {"mark": "请从列表中选择",
                                                                         "hs_code": "商品编号应为4、6、8或10位数字"}
    detail = (await api.get(f"/api/v1/workspace/library/{rows[0].id}")).json()
    assert detail["elements"]["catalogue_version"] == "2026" and detail["elements"]["lines"][4]["name"] == "型号"
    assert (await api.get(f"/api/v1/workspace/library/{rows[3].id}")).status_code == 404
    chosen = await api.post(f"/api/v1/workspace/library/{rows[1].id}/choose", json={"version": 1, "note": "甲"})
    assert chosen.status_code == 200 and chosen.json()["mark"] == "chosen" and chosen.json()["version"] == 2
    again = await api.post(f"/api/v1/workspace/library/{rows[1].id}/choose", json={"version": 1})
    assert again.status_code == 409
    other = await api.post(f"/api/v1/workspace/library/{rows[3].id}/public", json={"version": 1, "public": False})
    assert other.status_code == 404


async def test_the_public_library_is_anonymous_and_shows_no_enterprise(site: Site, world: World,
                                                                      rows: list[LibraryRow]) -> None:
    page = await site.client.get("/h5/library/public")
    assert page.status_code == 200 and "深沟球轴承" in page.text
    for row in rows:
        assert row.entry_number not in page.text and row.consignee_code not in page.text
    assert "大连示例进出口有限公司" not in page.text and "辽宁单人贸易有限公司" not in page.text
    found = (await site.client.get("/api/v1/library/public", params={"keyword": "轴承"})).json()
    assert len(found["items"]) == 4  # 规范 rows of acme, solo and two others: 4 enterprises ≥ 3
    assert all(set(i) == {"id", "hs_code", "goods_name", "model_spec", "elements", "ie_flag", "trade_mode",
                          "declared_on", "catalogue_version"} for i in found["items"])
    detail = await site.client.get(f"/h5/library/public/{rows[0].id}")
    assert detail.status_code == 200 and "型号" in detail.text and rows[0].entry_number not in detail.text
    assert (await site.client.get(f"/h5/library/public/{rows[2].id}")).status_code == 404  # 不规范
    assert (await site.client.get(f"/api/v1/library/public/{rows[1].id}")).status_code == 404  # 系统匹配


async def test_the_public_threshold_comes_from_the_settings(site: Site, world: World, rows: list[LibraryRow]) -> None:
    await LibraryRow.filter(id__in=[rows[4].id, rows[5].id]).update(public=False)  # two enterprises left
    assert (await site.client.get("/api/v1/library/public")).json()["items"] == []
    staff_page = await (await site.browser(world.staff)).get("/workbench/library/public")
    assert staff_page.status_code == 200 and "没有符合条件的公开数据" in staff_page.text
