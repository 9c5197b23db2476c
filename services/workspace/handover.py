"""A person's open items, listed before they are removed from the enterprise and handed to a colleague.

Each kind of item registers once with ``register_open_items``: how to list a person's open items of that kind
in an enterprise, and how to give them all to a colleague (in the removal's transaction). The question-clearing
questions not yet closed are the first kind; the declarations' open ones the second (``services.declarations.
open_items``, imported at the end of this module so that every process knows every kind).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F

from models.lifecycle import Status
from models.questions import Question
from services.messages.events import QUESTION_LINK
from services.workspace import labels as L


@dataclass(frozen=True)
class OpenItem:
    kind: str  # the kind's label, e.g. 问题
    title: str
    link: str


@dataclass(frozen=True)
class OpenItemKind:
    label: str
    # (conn, enterprise_id, person_id) -> the person's open items
    find: Callable[[BaseDBAsyncClient, int, int], Awaitable[list[OpenItem]]]
    # (conn, enterprise_id, from person_id, to person_id, now) -> how many changed owner
    hand_over: Callable[[BaseDBAsyncClient, int, int, int, datetime], Awaitable[int]]


OPEN_ITEM_KINDS: list[OpenItemKind] = []
FINISHED = (Status.CLOSED, Status.DELETED)  # a question in any other status is open


def register_open_items(kind: OpenItemKind) -> OpenItemKind:
    OPEN_ITEM_KINDS.append(kind)
    return kind


async def open_items(conn: BaseDBAsyncClient, enterprise_id: int, person_id: int) -> list[OpenItem]:
    return [item for kind in OPEN_ITEM_KINDS for item in await kind.find(conn, enterprise_id, person_id)]


async def hand_over_all(conn: BaseDBAsyncClient, enterprise_id: int, from_person: int, to_person: int,
                        now: datetime) -> dict[str, int]:
    """Every open item of ``from_person`` to ``to_person``; the count per kind (for the audit entry)."""
    return {kind.label: await kind.hand_over(conn, enterprise_id, from_person, to_person, now)
            for kind in OPEN_ITEM_KINDS}


async def _find_questions(conn: BaseDBAsyncClient, enterprise_id: int, person_id: int) -> list[OpenItem]:
    rows = await Question.filter(enterprise_id=enterprise_id, creator_id=person_id) \
        .exclude(status__in=FINISHED).using_db(conn).order_by("id")
    return [OpenItem(L.OPEN_QUESTIONS, f"{q.number} {q.title}（{q.status.label}）", QUESTION_LINK.format(id=q.id))
            for q in rows]


async def _hand_over_questions(conn: BaseDBAsyncClient, enterprise_id: int, from_person: int, to_person: int,
                               now: datetime) -> int:
    return await Question.filter(enterprise_id=enterprise_id, creator_id=from_person) \
        .exclude(status__in=FINISHED).using_db(conn).update(
        creator_id=to_person, version=F("version") + 1, updated_at=now)


register_open_items(OpenItemKind(L.OPEN_QUESTIONS, _find_questions, _hand_over_questions))

# The other kinds register themselves when their feature is imported; importing them here makes the registry
# complete in every process, whatever it imported first.
import services.declarations.open_items  # noqa: E402, F401
