"""``transition`` runs only inside the caller's transaction, on every configured backend."""

from __future__ import annotations

import pytest
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.transactions import in_transaction

from core.db import connection
from models.lifecycle import Action, Command, Status
from models.questions import Question, QuestionEvent
from services.kit.access import access_membership
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, person_ref
from services.questions.transitions import NotInTransaction, transition
from tests.factories import World

ctx = ServiceContext()


async def test_tortoise_tells_a_transaction_by_its_client_type(world: World) -> None:
    """What ``require_transaction`` relies on: ``in_transaction()`` hands out a TransactionalDBClient."""
    assert not isinstance(connection(), TransactionalDBClient)
    async with in_transaction() as conn:
        assert isinstance(conn, TransactionalDBClient)
        async with in_transaction() as nested:
            assert isinstance(nested, TransactionalDBClient)


async def test_transition_refuses_a_connection_outside_a_transaction(world: World) -> None:
    draft = await create_draft(ctx, world.solo_staff, world.solo.id, world.form())
    conn = connection()
    by = person_ref(await access_membership(world.solo_staff.person_id, world.solo.id, conn))
    question = await Question.get(id=draft.id)

    with pytest.raises(NotInTransaction):
        await transition(ctx, conn, question, by, Command(Action.SUBMIT))

    assert (await Question.get(id=draft.id)).status is Status.DRAFT
    assert await QuestionEvent.filter(question_id=draft.id).count() == 1  # the creation only


async def test_transition_inside_a_transaction_changes_the_status(world: World) -> None:
    draft = await create_draft(ctx, world.solo_staff, world.solo.id, world.form())
    async with in_transaction() as conn:
        by = person_ref(await access_membership(world.solo_staff.person_id, world.solo.id, conn))
        await transition(ctx, conn, await Question.get(id=draft.id).using_db(conn), by, Command(Action.SUBMIT))
    assert (await Question.get(id=draft.id)).status is Status.SUBMITTED
