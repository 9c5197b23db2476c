"""Published questions, readable by anybody: the list by type (keyset pages), one question, similar titles.

Only what customs chose to publish leaves this module: the public title, description and reply, the types
and the dates. The enterprise's identity (name, credit code, the number, which contains the credit code,
contact, people) is never read here — queries name their columns — so it cannot reach a page or the API.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from models.catalog import QuestionType
from models.errors import NotFound
from models.lifecycle import Status
from models.questions import Question
from services.kit.paging import after_time_key, check_limit, decode_time_cursor, encode_time_cursor
from services.questions.form import clean_text

MAX_LIMIT = 50
EXCERPT_CHARS = 60
SIMILAR_BIGRAMS = 10  # LIKE conditions per look-up
SIMILAR_CANDIDATES = 200  # rows ranked in Python, newest first
SIMILAR_TEXT_MAX = 40  # characters of the typed title looked at
# Bigrams so common in questions that sharing one says nothing about the subject.
COMMON_BIGRAMS = frozenset({"如何", "怎么", "怎样", "什么", "是否", "哪些", "哪里", "可以", "问题", "请问", "需要"})

MSG_NOT_FOUND = "该问题不存在或已取消公开"


@dataclass(frozen=True)
class PublicType:
    id: int
    name: str


@dataclass(frozen=True)
class PublishedSummary:
    id: int
    title: str
    types: tuple[PublicType, ...]
    published_at: datetime
    excerpt: str


@dataclass(frozen=True)
class PublishedPage:
    items: tuple[PublishedSummary, ...]
    next_cursor: str | None  # None: this is the last page


@dataclass(frozen=True)
class PublishedQuestion:
    id: int
    title: str
    description: str
    reply: str  # the customs reply as published (edited by customs when publishing)
    types: tuple[PublicType, ...]
    asked_at: datetime | None
    replied_at: datetime | None
    published_at: datetime


@dataclass(frozen=True)
class SimilarQuestion:
    id: int
    title: str


def _public() -> Any:
    """Published, with a publication date, and not deleted: the only rows this module ever reads."""
    return Question.filter(published=True, published_at__isnull=False).exclude(status=Status.DELETED)


async def active_types() -> list[PublicType]:
    """The active question types, in their order: the filter of the list."""
    rows = await QuestionType.filter(active=True).order_by("sort", "id").values("id", "name")
    return [PublicType(row["id"], row["name"]) for row in rows]


async def list_published(*, type_id: int | None = None, cursor: str | None = None,
                         limit: int = 20) -> PublishedPage:
    """Newest publication first, ``limit`` per page; ``cursor`` is the previous page's ``next_cursor``.

    Keyset paging on (published_at, id): a question published while someone pages through is neither
    shown twice nor skipped. A cursor that was not made here is ValidationFailed.
    """
    check_limit(limit, MAX_LIMIT)
    query = _public()
    if type_id is not None:
        query = query.filter(types__id=type_id)
    if cursor:
        at, last_id = decode_time_cursor(cursor)
        query = query.filter(after_time_key("published_at", at, last_id))
    rows = await query.order_by("-published_at", "-id").limit(limit + 1).values(
        "id", "public_title", "public_description", "published_at")
    more, rows = len(rows) > limit, rows[:limit]
    types = await _types_of([row["id"] for row in rows])
    items = tuple(PublishedSummary(row["id"], row["public_title"], types.get(row["id"], ()), row["published_at"],
                                   excerpt(row["public_description"])) for row in rows)
    next_cursor = encode_time_cursor(items[-1].published_at, items[-1].id) if more else None
    return PublishedPage(items, next_cursor)


async def published_detail(question_id: int) -> PublishedQuestion:
    """The published version of one question; NotFound when it is not (or no longer) published."""
    rows = await _public().filter(id=question_id).values(
        "id", "public_title", "public_description", "public_reply", "first_submitted_at", "replied_at", "published_at")
    if not rows:
        raise NotFound(MSG_NOT_FOUND)
    row = rows[0]
    types = await _types_of([question_id])
    return PublishedQuestion(row["id"], row["public_title"], row["public_description"], row["public_reply"],
                             types.get(question_id, ()), row["first_submitted_at"], row["replied_at"],
                             row["published_at"])


async def similar_published(text: str, limit: int = 5) -> list[SimilarQuestion]:
    """Published questions whose public title shares character bigrams with ``text``, most shared first.

    Chinese has no spaces between words, so two neighbouring characters stand in for a word. A few
    bigrams select candidates with LIKE (SQLite and PostgreSQL alike); the newest candidates are ranked here.
    """
    ordered = [pair for pair in bigrams_in_order(text[:SIMILAR_TEXT_MAX]) if pair not in COMMON_BIGRAMS]
    if not ordered:
        return []
    wanted, probes = set(ordered), ordered[:SIMILAR_BIGRAMS]
    condition = Q(*(Q(public_title__icontains=probe) for probe in probes), join_type=Q.OR)
    rows = await _public().filter(condition).order_by("-published_at", "-id").limit(SIMILAR_CANDIDATES).values(
        "id", "public_title")
    scored = [(len(wanted & bigrams(row["public_title"])), position, row) for position, row in enumerate(rows)]
    ranked = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))
    return [SimilarQuestion(row["id"], row["public_title"]) for _, _, row in ranked[:limit]]


def bigrams(text: str) -> set[str]:
    return set(bigrams_in_order(text))


def bigrams_in_order(text: str) -> list[str]:
    """Distinct neighbouring pairs within runs of letters and digits, lower-cased: "IC卡办理" → ic, c卡, 卡办, 办理."""
    runs: list[list[str]] = []
    run: list[str] = []
    for char in clean_text(text).lower():
        if char.isalnum():
            run.append(char)
        elif run:
            runs.append(run)
            run = []
    runs.append(run)
    pairs = (a + b for chars in runs for a, b in zip(chars, chars[1:], strict=False))
    return list(dict.fromkeys(pairs))


def excerpt(text: str, size: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[:size].rstrip() + "…"


async def _types_of(question_ids: list[int]) -> dict[int, tuple[PublicType, ...]]:
    if not question_ids:
        return {}
    rows = await QuestionType.filter(questions__id__in=question_ids).order_by("sort", "id").values(
        "id", "name", question_id="questions__id")
    found: dict[int, list[PublicType]] = defaultdict(list)
    for row in rows:
        found[row["question_id"]].append(PublicType(row["id"], row["name"]))
    return {question_id: tuple(types) for question_id, types in found.items()}
