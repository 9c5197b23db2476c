"""消息中心 over HTTP: the desktop and H5 pages (tabs, filters, detail read once with the object's link, star,
mark all read), the badge on each page load, another person's message not found, the live stream told of each
change, and the H5 pages gated by ``message:view`` like the desktop ones."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from core.cache import MemoryCache
from models.enterprises import MemberRole
from models.messages import Category, Message
from models.workspace import DataScope, WorkspaceRole
from services.messages.badges import use_cache
from services.messages.centre import post_message
from services.workspace.permissions import bump_version
from tests.factories import World
from tests.http.support import Site

DESK, H5 = "/workbench/messages", "/h5/messages"
NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


async def post(world: World, person_id: int, title: str, category: Category = Category.NOTICE,
               enterprise_id: int | None = None) -> Message:
    async with in_transaction() as conn:
        return await post_message(conn, enterprise_id=enterprise_id or world.acme.id, person_id=person_id,
                                  category=category, title=title, body="第一行\n第二行",
                                  link="/h5/questions/7", now=NOW)


async def test_the_desktop_list_detail_star_and_mark_all_read(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    first = await post(world, world.admin.person_id, "海关答复：电子口岸IC卡")
    await post(world, world.admin.person_id, "海关受理：报关单修改")
    await post(world, world.admin.person_id, "资质即将到期", Category.WARNING)

    listing = await admin.get(DESK)
    assert listing.status_code == 200 and "海关答复：电子口岸IC卡" in listing.text
    assert "资质即将到期" not in listing.text  # the 预警 tab only
    assert 'data-unread title="未读消息">3<' in listing.text  # the header's badge: both tabs
    assert 'id="unread-notice">2<' in listing.text and 'id="unread-warning">1<' in listing.text

    detail = await admin.get(f"{DESK}/{first.id}")
    assert detail.status_code == 200 and 'href="/h5/questions/7"' in detail.text and "第二行" in detail.text
    assert (await Message.get(id=first.id)).read_at is not None
    assert "已读" in (await admin.get(f"{DESK}?state=read")).text

    starred = await admin.post_form(f"{DESK}/{first.id}/star", {"starred": "1", "back": f"{DESK}?state=read"})
    assert starred.status_code == 303 and starred.headers["location"] == f"{DESK}?state=read"
    only_starred = await admin.get(f"{DESK}?starred=1")
    assert "海关答复：电子口岸IC卡" in only_starred.text and "海关受理：报关单修改" not in only_starred.text

    done = await admin.post_form(f"{DESK}/read-all", {"category": "notice"})
    assert done.status_code == 303
    assert await Message.filter(person_id=world.admin.person_id, read_at__isnull=True).count() == 1  # the 预警


async def test_another_persons_message_is_not_found(site: Site, world: World) -> None:
    theirs = await post(world, world.executive.person_id, "高管的消息")
    admin = await site.browser(world.admin)
    assert (await admin.get(f"{DESK}/{theirs.id}")).status_code == 404
    assert (await admin.post_form(f"{DESK}/{theirs.id}/star", {"starred": "1"})).status_code == 404
    assert "高管的消息" not in (await admin.get(DESK)).text
    assert (await Message.get(id=theirs.id)).read_at is None


async def test_bad_filters_are_refused_in_chinese_not_a_500(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    for query in ("category=galaxy", "state=deleted", "cursor=xyz"):
        response = await admin.get(f"{DESK}?{query}")
        assert response.status_code == 400, query
    refused = await admin.post_form(f"{DESK}/read-all", {"category": "galaxy"})
    assert refused.status_code == 400 and "筛选条件无效" in refused.text


async def test_the_h5_pages_and_the_home_count(site: Site, world: World) -> None:
    staff = await site.browser(world.staff)
    message = await post(world, world.staff.person_id, "海关退回：请补充材料")

    home = await staff.get("/h5/")
    assert 'href="/h5/messages"' in home.text and "未读消息" in home.text
    listing = await staff.get(H5)
    assert listing.status_code == 200 and "海关退回：请补充材料" in listing.text and "weui-cells" in listing.text
    detail = await staff.get(f"{H5}/{message.id}")
    assert detail.status_code == 200 and "查看详情" in detail.text
    assert (await Message.get(id=message.id)).read_at is not None
    starred = await staff.post_form(f"{H5}/{message.id}/star", {"starred": "1", "back": "https://evil.example/"})
    assert starred.status_code == 303 and starred.headers["location"] == H5  # never elsewhere
    assert (await Message.get(id=message.id)).starred


async def read_event(lines: object) -> dict[str, int]:
    async for line in lines:  # type: ignore[attr-defined]
        if line.startswith("data: "):
            return json.loads(line[len("data: "):])  # type: ignore[no-any-return]
    raise AssertionError("the stream ended")


async def test_the_stream_sends_the_count_and_again_when_a_message_is_posted(site: Site, world: World) -> None:
    admin = await site.browser(world.admin)
    await bump_version(site.app.ctx.cache, world.acme.id)
    assert (await admin.get(f"{DESK}/stream")).json() == {"unread": 0, "notice": 0, "warning": 0, "starred": 0}
    async with admin.client.stream("GET", f"{DESK}/stream", headers={"accept": "text/event-stream"}) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.aiter_lines()
        assert (await asyncio.wait_for(read_event(lines), 5))["unread"] == 0
        await post(world, world.admin.person_id, "资质即将到期", Category.WARNING)
        assert (await asyncio.wait_for(read_event(lines), 2.5)) == {"unread": 1, "notice": 0, "warning": 1,
                                                                    "starred": 0}
        message = await Message.get(person_id=world.admin.person_id)
        read = await admin.get(f"{DESK}/{message.id}")  # read in another tab: told through the cache at once
        assert read.status_code == 200
        assert (await asyncio.wait_for(read_event(lines), 2.5))["unread"] == 0


async def test_a_message_the_worker_posts_shows_within_two_seconds(site: Site, world: World) -> None:
    """The worker process registers its own cache: with the in-process default its publish cannot reach the web
    process's streams, so they count often enough; with Redis the publish reaches them."""
    admin = await site.browser(world.admin)
    await bump_version(site.app.ctx.cache, world.acme.id)
    workers_cache = site.app.ctx.cache if site.app.ctx.cache.shared else MemoryCache()
    async with admin.client.stream("GET", f"{DESK}/stream", headers={"accept": "text/event-stream"}) as stream:
        lines = stream.aiter_lines()
        assert (await asyncio.wait_for(read_event(lines), 5))["unread"] == 0
        use_cache(workers_cache)
        try:
            await post(world, world.admin.person_id, "角色即将到期：审单员", Category.WARNING)
        finally:
            use_cache(site.app.ctx.cache)
        assert (await asyncio.wait_for(read_event(lines), 2.0))["warning"] == 1


API = "/api/v1/workspace/messages"


async def test_the_api_lists_counts_reads_stars_and_marks_all_read(site: Site, world: World) -> None:
    api = await site.api(world.admin)
    for i in range(3):
        await post(world, world.admin.person_id, f"通知{i}")
    theirs = await post(world, world.executive.person_id, "高管的消息")

    first = (await api.get(API, params={"limit": 2})).json()
    assert [m["title"] for m in first["items"]] == ["通知2", "通知1"] and first["next_cursor"]
    rest = (await api.get(API, params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [m["title"] for m in rest["items"]] == ["通知0"] and rest["next_cursor"] is None
    newest = first["items"][0]["id"]

    opened = (await api.get(f"{API}/{newest}")).json()
    assert opened["read_at"] and opened["link"] == "/h5/questions/7"
    assert (await api.post(f"{API}/{newest}/star", json={"starred": True})).status_code == 200
    assert (await api.get(f"{API}/counts")).json() == {"unread": 2, "notice": 2, "warning": 0, "starred": 1}
    assert (await api.post(f"{API}/read-all", json={"category": "notice"})).json() == {"marked": 2}
    assert (await api.get(f"{API}/counts")).json()["unread"] == 0

    missing = await api.get(f"{API}/{theirs.id}")
    assert missing.status_code == 404 and missing.json()["error"]["message"] == "消息不存在"
    bad = await api.get(API, params={"category": "galaxy"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "category"


async def test_the_h5_pages_are_gated_by_message_view(site: Site, world: World) -> None:
    message = await post(world, world.staff.person_id, "海关退回：请补充材料")
    now = site.app.ctx.services.now()
    await WorkspaceRole.create(enterprise_id=world.acme.id, name="关务人员", builtin=MemberRole.STAFF, codes=[],
                               data_scope=DataScope.SELF, created_at=now, updated_at=now)
    await bump_version(site.app.ctx.cache, world.acme.id)
    staff = await site.browser(world.staff)

    for path in (H5, f"{H5}/{message.id}"):
        refused = await staff.get(path)
        assert refused.status_code == 403 and "您没有该功能的权限" in refused.text, path
    starred = await staff.post_form(f"{H5}/{message.id}/star", {"starred": "1"})
    assert starred.status_code == 403 and not (await Message.get(id=message.id)).starred
    assert (await Message.get(id=message.id)).read_at is None


async def test_the_list_filters_by_the_days_written(site: Site, world: World) -> None:
    """Local days (Asia/Shanghai): 2026-03-02 04:00 UTC is 12:00 on 2 March; 2026-03-09 20:00 UTC is 10 March."""
    await post(world, world.admin.person_id, "三月二日的消息")
    async with in_transaction() as conn:
        await post_message(conn, enterprise_id=world.acme.id, person_id=world.admin.person_id,
                           category=Category.NOTICE, title="三月十日的消息", now=datetime(2026, 3, 9, 20, tzinfo=UTC))
    admin = await site.browser(world.admin)

    march_2 = (await admin.get(DESK, params={"from": "2026-03-02", "to": "2026-03-09"})).text
    assert "三月二日的消息" in march_2 and "三月十日的消息" not in march_2 and 'value="2026-03-09"' in march_2
    later = (await admin.get(DESK, params={"from": "2026-03-10"})).text
    assert "三月十日的消息" in later and "三月二日的消息" not in later
    refused = await admin.get(DESK, params={"from": "2026-03-10", "to": "2026-03-01"})
    assert refused.status_code == 400 and 'id="err-to">结束日期不能早于开始日期' in refused.text
    assert 'value="2026-03-10"' in refused.text  # the typed days kept
    assert "三月二日的消息" in refused.text  # the period refused: the list unfiltered
    assert 'id="err-to">请填写正确的日期' in (await admin.get(DESK, params={"to": "2026-02-30"})).text

    h5 = (await admin.get(H5, params={"from": "2026-03-02", "to": "2026-03-09"})).text
    assert "三月二日的消息" in h5 and "三月十日的消息" not in h5 and 'value="2026-03-09"' in h5
    bad = await admin.get(H5, params={"from": "2026-3-1"})
    assert bad.status_code == 400 and 'id="err-from">请填写正确的日期' in bad.text and 'value="2026-3-1"' in bad.text

    api = await site.api(world.admin)
    titles = [m["title"] for m in (await api.get(API, params={"from": "2026-03-10"})).json()["items"]]
    assert titles == ["三月十日的消息"]
    both = (await api.get(API, params={"from": "2026-03-01", "to": "2026-03-10"})).json()["items"]
    assert {m["title"] for m in both} == {"三月二日的消息", "三月十日的消息"}
    wrong = await api.get(API, params={"from": "2026-03-10", "to": "2026-03-01"})
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "to"
    assert wrong.json()["error"]["message"] == "结束日期不能早于开始日期"
    assert (await api.get(API, params={"to": "三月"})).json()["error"]["field"] == "to"
