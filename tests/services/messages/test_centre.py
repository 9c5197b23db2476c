"""The message centre's services on every backend: written in the event's transaction, scoped to one person of
one enterprise, exact counts, read once, star, mark all read in one statement, keyset paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from core.db import connection
from models.customs_accounts import CustomsAccount
from models.errors import NotFound, ValidationFailed
from models.lifecycle import Action, Command, ReplyKind
from models.messages import Category, Message
from models.questions import Question
from services.kit.context import ServiceContext
from services.messages.centre import (
    Mailbox,
    counts,
    list_messages,
    mark_all_read,
    post_message,
    read_message,
    set_starred,
)
from services.questions.asking import create_draft, submit_question
from services.questions.handling import customs_ref, reply_question
from services.questions.transitions import transition
from tests.factories import World

NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
ctx = ServiceContext(clock=lambda: NOW)


async def post(box: Mailbox, n: int = 1, category: Category = Category.NOTICE) -> None:
    async with in_transaction() as conn:
        for i in range(n):
            await post_message(conn, enterprise_id=box.enterprise_id, person_id=box.person_id, category=category,
                               title=f"消息{i}", body="正文", link="/h5/questions/1", now=NOW)


def box_of(world: World) -> Mailbox:
    return Mailbox(world.solo_staff.person_id, world.solo.id)


async def submitted(world: World) -> int:
    draft = await create_draft(ctx, world.solo_staff, world.solo.id, world.form())
    await submit_question(ctx, world.solo_staff, draft.id)
    return draft.id


async def test_a_reply_leaves_a_notice_for_the_asker_linked_to_the_question(world: World) -> None:
    qid = await submitted(world)

    await reply_question(ctx, world.officer, qid, ReplyKind.ANSWER, "请到大窑湾海关办理")

    [message] = await Message.filter(person_id=world.solo_staff.person_id, title__contains="海关答复")
    assert (message.enterprise_id, message.category, message.link) == (world.solo.id, Category.NOTICE,
                                                                       f"/h5/questions/{qid}")
    assert "请到大窑湾海关办理" in message.body


async def test_a_rolled_back_transition_leaves_no_message(world: World) -> None:
    qid = await submitted(world)
    before = await Message.all().count()
    officer = await CustomsAccount.get(id=world.officer.account_id)

    with pytest.raises(RuntimeError):
        async with in_transaction() as conn:
            question = await Question.get(id=qid).using_db(conn)
            await transition(ctx, conn, question, customs_ref(officer), Command(Action.ACCEPT))
            assert await Message.all().using_db(conn).count() == before + 1  # written with the acceptance
            raise RuntimeError("the event fails after the notice was written")

    assert await Message.all().count() == before


async def test_counts_are_exact_above_99_per_category_and_starred(world: World) -> None:
    box = box_of(world)
    await post(box, 120)
    await post(box, 3, Category.WARNING)
    newest = (await list_messages(box, Category.NOTICE, limit=2)).items
    for message in newest:
        await set_starred(box, message.id, True)
    await read_message(box, newest[0].id, NOW)

    assert await counts(box) == type(await counts(box))(unread_notice=119, unread_warning=3, starred=2)


async def test_another_persons_or_enterprises_messages_are_invisible(world: World) -> None:
    mine, theirs = box_of(world), Mailbox(world.staff.person_id, world.acme.id)
    other_enterprise = Mailbox(world.solo_staff.person_id, world.acme.id)  # same person, another enterprise
    await post(theirs, 2)
    message = (await list_messages(theirs, Category.NOTICE)).items[0]

    assert (await list_messages(mine, Category.NOTICE)).items == []
    assert (await counts(mine)).unread == 0
    for intruder in (mine, other_enterprise):
        with pytest.raises(NotFound):
            await read_message(intruder, message.id, NOW)
        with pytest.raises(NotFound):
            await set_starred(intruder, message.id, True)
        assert await mark_all_read(intruder, Category.NOTICE, NOW) == 0
    assert (await counts(theirs)).unread_notice == 2


async def test_reading_sets_the_read_time_once_and_keeps_it(world: World) -> None:
    box = box_of(world)
    await post(box)
    message_id = (await list_messages(box, Category.NOTICE)).items[0].id

    first = await read_message(box, message_id, NOW)
    again = await read_message(box, message_id, NOW + timedelta(hours=1))

    assert first.read_at == again.read_at == NOW
    assert [m.id for m in (await list_messages(box, Category.NOTICE, state="read")).items] == [message_id]
    assert (await list_messages(box, Category.NOTICE, state="unread")).items == []


async def test_mark_all_read_is_one_statement_over_one_category(world: World) -> None:
    box = box_of(world)
    await post(box, 5)
    await post(box, 2, Category.WARNING)
    statements: list[str] = []
    client = connection()
    original = client.execute_query

    async def counted(query: str, values: list[object] | None = None) -> object:
        statements.append(query)
        return await original(query, values)

    client.execute_query = counted  # type: ignore[method-assign]  # count what reaches the database
    try:
        marked = await mark_all_read(box, Category.NOTICE, NOW)
    finally:
        del client.execute_query

    assert marked == 5 and len(statements) == 1 and statements[0].lstrip().upper().startswith("UPDATE")
    assert await counts(box) == type(await counts(box))(unread_notice=0, unread_warning=2, starred=0)


async def test_the_starred_filter_and_keyset_pages_cover_each_message_once(world: World) -> None:
    box = box_of(world)
    await post(box, 7)
    seen: list[int] = []
    cursor = ""
    while True:
        page = await list_messages(box, Category.NOTICE, cursor=cursor, limit=3)
        seen += [m.id for m in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    await set_starred(box, seen[4], True)
    await set_starred(box, seen[5], True)
    await set_starred(box, seen[5], False)

    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 7
    assert [m.id for m in (await list_messages(box, Category.NOTICE, starred=True)).items] == [seen[4]]
    with pytest.raises(ValidationFailed):
        await list_messages(box, Category.NOTICE, cursor="not-a-cursor")
    with pytest.raises(ValidationFailed):
        await list_messages(box, Category.NOTICE, state="deleted")
