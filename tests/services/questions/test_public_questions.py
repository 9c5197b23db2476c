"""Published questions through the service: keyset pages, the type filter, the detail, similar titles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models.errors import NotFound, ValidationFailed
from models.lifecycle import ReplyKind
from models.questions import Question
from services.kit.context import ServiceContext
from services.kit.paging import encode_cursor
from services.questions.asking import create_draft, submit_question
from services.questions.handling import reply_question, unpublish_question
from services.questions.public import (
    bigrams,
    list_published,
    published_detail,
    similar_published,
)
from tests.browser.published import CTX, PUBLIC_REPLY, publish, publish_many
from tests.factories import World


async def all_pages(type_id: int | None = None, limit: int = 10) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = await list_published(type_id=type_id, cursor=cursor, limit=limit)
        pages.append([item.id for item in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


async def test_pages_hold_every_published_question_once_newest_first(world: World) -> None:
    ids = await publish_many(world, 25)
    pages = await all_pages(limit=10)
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [i for p in pages for i in p] == ids[::-1]


async def test_questions_published_in_the_same_instant_are_paged_by_id(world: World) -> None:
    same_instant = ServiceContext(clock=lambda: datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC))
    ids = await publish_many(world, 7, ctx=same_instant)
    later = await publish(world, "后来公开的问题")
    pages = await all_pages(limit=3)
    assert [i for p in pages for i in p] == [later, *ids[::-1]]


async def test_a_question_published_between_two_pages_is_neither_repeated_nor_skipped(world: World) -> None:
    ids = await publish_many(world, 6)
    first = await list_published(limit=3)
    newest = await publish(world, "翻页期间公开的问题")
    second = await list_published(cursor=first.next_cursor, limit=3)
    assert [i.id for i in first.items + second.items] == ids[::-1]
    assert second.next_cursor is None
    assert (await list_published(limit=1)).items[0].id == newest


async def test_the_type_filter(world: World) -> None:
    ids = await publish_many(world, 9)  # types take turns: 1 → 关税征管, 2 → 其他, 3 → 通关运行 …
    tariff = world.type_ids[1]
    listed = [i for p in await all_pages(type_id=tariff, limit=2) for i in p]
    assert listed == [ids[6], ids[3], ids[0]]
    page = await list_published(type_id=tariff)
    assert {t.name for item in page.items for t in item.types} == {"关税征管"}
    assert (await list_published(type_id=999_999)).items == ()


async def test_a_summary_has_the_public_title_types_date_and_a_short_excerpt(world: World) -> None:
    long_text = "关于暂时进出境货物的担保。" * 10
    qid = await publish(world, "暂时进出境货物注意事项", type_ids=world.type_ids[:2], description=long_text)
    [item] = (await list_published()).items
    assert (item.id, item.title) == (qid, "暂时进出境货物注意事项")
    assert [t.name for t in item.types] == ["通关运行", "关税征管"]
    assert item.excerpt.endswith("…") and len(item.excerpt) <= 61 and long_text.startswith(item.excerpt[:-1])
    assert item.published_at.tzinfo is not None


FORGED_CURSORS = {
    "not base64 JSON": "nonsense",
    "an object": "e30",  # {}
    "a time without a zone": "WyIyMDI0LTAxLTAxVDAwOjAwOjAwIiwgM10",  # ["2024-01-01T00:00:00", 3]
    "not a time": "WyJ4IiwxXQ",  # ["x",1]
    "an id as text": "WyIyMDI0LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwiMSJd",  # ["2024-01-01T00:00:00+00:00","1"]
    "an id too large": encode_cursor(datetime(2024, 1, 1, tzinfo=UTC).isoformat(), 2**40),
}


@pytest.mark.parametrize("cursor", FORGED_CURSORS.values(), ids=FORGED_CURSORS.keys())
async def test_a_cursor_not_made_by_the_list_is_refused_in_chinese(world: World, cursor: str) -> None:
    with pytest.raises(ValidationFailed, match="分页参数无效") as error:
        await list_published(cursor=cursor)
    assert error.value.field == "cursor"


@pytest.mark.parametrize("limit", [0, 51])
async def test_the_page_size_is_bounded(world: World, limit: int) -> None:
    with pytest.raises(ValidationFailed, match="每页条数"):
        await list_published(limit=limit)


async def test_the_detail_is_what_customs_published_and_nothing_of_the_enterprise(world: World) -> None:
    qid = await publish(world, "IC卡办理", type_ids=world.type_ids[:1])
    detail = await published_detail(qid)
    assert (detail.title, detail.reply, [t.name for t in detail.types]) == ("IC卡办理", PUBLIC_REPLY, ["通关运行"])
    assert detail.asked_at and detail.replied_at and detail.published_at
    question = await Question.get(id=qid)
    shown = repr(detail)
    for secret in (world.acme.name, world.acme.credit_code, question.number, question.contact_phone,
                   question.contact_name, "高管乙", question.description):
        assert secret not in shown


async def test_unpublished_unknown_and_never_published_questions_are_not_found(world: World) -> None:
    qid = await publish(world, "曾经公开的问题")
    await unpublish_question(CTX, world.supervisor, qid)
    draft = await create_draft(CTX, world.executive, world.acme.id, world.form())
    answered = await create_draft(CTX, world.executive, world.acme.id, world.form())
    await submit_question(CTX, world.executive, answered.id)
    await reply_question(CTX, world.officer, answered.id, ReplyKind.ANSWER, "答复")
    for question_id in (qid, draft.id, answered.id, 999_999):
        with pytest.raises(NotFound, match="不存在或已取消公开"):
            await published_detail(question_id)
    assert (await list_published()).items == ()


async def test_similar_titles_share_bigrams_and_the_closest_comes_first(world: World) -> None:
    ic = await publish(world, "电子口岸IC卡如何办理")
    ic_lost = await publish(world, "IC卡丢失如何补办")
    await publish(world, "暂时进出境货物注意事项")
    await publish(world, "RCEP原产地规则在哪里获取")
    assert [s.id for s in await similar_published("电子口岸卡办理")] == [ic]
    assert [s.id for s in await similar_published("ic卡怎么办理")] == [ic, ic_lost]
    assert [s.title for s in await similar_published("rcep 原产地")] == ["RCEP原产地规则在哪里获取"]
    assert await similar_published("如何") == []  # only a common pair: says nothing about the subject
    assert await similar_published("卡") == []
    assert await similar_published("%_") == []
    assert len(await similar_published("问题公开", limit=2)) <= 2


async def test_similar_titles_leave_unpublished_questions_out(world: World) -> None:
    qid = await publish(world, "电子口岸IC卡如何办理")
    await unpublish_question(CTX, world.supervisor, qid)
    assert await similar_published("电子口岸IC卡") == []


def test_bigrams_stay_within_runs_of_letters_and_digits() -> None:
    assert bigrams("IC卡 办理!") == {"ic", "c卡", "办理"}
    assert bigrams("一") == set()
