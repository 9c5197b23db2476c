"""Fetching with the permission check: nothing is returned to someone who may not see it.

Outside their scope a question does not exist for the user (NotFound, 404), so its existence leaks nothing.

Within one reading request (a GET) the reader's membership or account is loaded once: the edge opens a read
memo per request (``begin_request_reads``) and the access functions keep what they loaded in it, so the sign-in
check, the page's service and the header's badge share one load. Writes never use it: a request that may
change state starts with no memo, so every check there reads the row as it is now.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from core.query_sql import model_from, rows, select_list
from models.customs_accounts import CustomsAccount, CustomsRole
from models.enterprises import Enterprise, EnterpriseStatus, MemberRole, Membership, Person
from models.errors import NotFound
from models.lifecycle import Role, Status
from models.offices import CustomsOffice
from models.questions import Question

MSG_NO_CUSTOMS_ACCOUNT = "海关账号不存在或已停用"
MSG_NOT_MEMBER = "企业不存在或您不是该企业的成员"
QUESTION_NOT_FOUND = "问题不存在或无权查看"
T = TypeVar("T")
_reads: ContextVar[dict[Hashable, Any] | None] = ContextVar("qingling_request_reads", default=None)


def begin_request_reads(reading: bool) -> None:
    """Start a request: a fresh memo for a reading request, none for one that may write.

    Called first thing for every request, so nothing is carried over from the previous request that the same
    task (a keep-alive connection) served.
    """
    _reads.set({} if reading else None)


async def request_memo(key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
    """``load()``, once per reading request and key (each call outside a reading request loads)."""
    memo = _reads.get()
    if memo is None:
        return await load()
    if key not in memo:
        memo[key] = await load()
    result: T = memo[key]
    return result


def remember(key: Hashable, value: object) -> None:
    """Keep ``value`` for ``request_memo(key, …)`` in this reading request (nothing outside one)."""
    memo = _reads.get()
    if memo is not None:
        memo[key] = value


async def access_membership(person_id: int, enterprise_id: int, conn: BaseDBAsyncClient) -> Membership:
    return await request_memo(("membership", person_id, enterprise_id),
                              lambda: _load_membership(person_id, enterprise_id, conn))


# The active executives of the enterprises (an active membership with role executive, of an active person):
# the one statement of that rule, read with a reader's membership and on its own (active_executives).
EXECUTIVES_SQL = f"""SELECT x.enterprise_id, x.person_id, xp.name FROM membership x
    JOIN person xp ON xp.id = x.person_id WHERE x.role = '{MemberRole.EXECUTIVE.value}' AND x.active AND xp.active"""


@dataclass(frozen=True)
class Executive:
    person_id: int
    name: str


@cache  # built on first use: the models' columns are known once tortoise is initialised
def membership_sql() -> str:
    """The one statement every request of a signed-in enterprise user runs (handlers/kit/auth.py): the
    membership, its person and enterprise, and the enterprise's active executives (one row each, or one row)."""
    return f"""SELECT {select_list(Membership, "m")}, {select_list(Person, "p")}, {select_list(Enterprise, "e")},
    x.person_id AS "x.person_id", x.name AS "x.name"
    FROM membership m JOIN person p ON p.id = m.person_id JOIN enterprise e ON e.id = m.enterprise_id
    LEFT JOIN ({EXECUTIVES_SQL}) x ON x.enterprise_id = m.enterprise_id
    WHERE m.person_id = ? AND m.enterprise_id = ? AND m.active AND p.active ORDER BY x.person_id"""


async def _load_membership(person_id: int, enterprise_id: int, conn: BaseDBAsyncClient) -> Membership:
    """The active membership of an active person, with its person and enterprise (not a disabled one); the
    enterprise's executives are kept for ``active_executives`` in the same reading request."""
    found = await rows(membership_sql(), person_id, enterprise_id, conn=conn)
    if not found:
        raise NotFound(MSG_NOT_MEMBER)
    enterprise = model_from(Enterprise, found[0], "e")
    if enterprise.status is EnterpriseStatus.DISABLED:
        raise NotFound(MSG_NOT_MEMBER)
    remember(("executives", enterprise_id),
             tuple(Executive(r["x.person_id"], r["x.name"]) for r in found if r["x.person_id"] is not None))
    return model_from(Membership, found[0], "m", person=model_from(Person, found[0], "p"), enterprise=enterprise)


async def active_executives(conn: BaseDBAsyncClient, enterprise_id: int) -> tuple[Executive, ...]:
    """The enterprise's active executives, by person id."""
    async def load() -> tuple[Executive, ...]:
        found = await rows(f"SELECT person_id, name FROM ({EXECUTIVES_SQL}) x WHERE enterprise_id = ? "
                           "ORDER BY person_id", enterprise_id, conn=conn)
        return tuple(Executive(r[0], r[1]) for r in found)

    return await request_memo(("executives", enterprise_id), load)


async def access_question_for_person(
    person_id: int, question_id: int, conn: BaseDBAsyncClient, *, for_update: bool = False
) -> tuple[Question, Membership]:
    query = Question.filter(id=question_id).exclude(status=Status.DELETED).using_db(conn)
    question = await (query.select_for_update() if for_update else query).first()
    if question is None:
        raise NotFound(QUESTION_NOT_FOUND)
    try:
        membership = await access_membership(person_id, question.enterprise_id, conn)
    except NotFound:
        raise NotFound(QUESTION_NOT_FOUND) from None
    return question, membership


# Customs roles that see their office's sub-offices too (an admin read-only, for questions).
SUBTREE_ROLES = frozenset({CustomsRole.SUPERVISOR, CustomsRole.ADMIN})


def under_office(office: CustomsOffice, via: str = "") -> Q:
    """``office`` and every office below it (their paths start with its path).

    ``via`` is the relation from the filtered model to an office ("office", "question__office"; "" for offices).
    """
    lookup: dict[str, Any] = {f"{via}__path__startswith" if via else "path__startswith": office.path}
    return Q(**lookup)


def customs_scope(account: CustomsAccount, via: str = "office") -> Q:
    """What an account may see (questions, their notices, audit entries, the offices themselves with ``via=""``):
    its office's; a supervisor or an admin also its sub-offices'."""
    if account.role in SUBTREE_ROLES:
        return under_office(account.office, via)
    lookup: dict[str, Any] = {f"{via}_id" if via else "id": account.office_id}
    return Q(**lookup)


async def access_customs_account(account_id: int, conn: BaseDBAsyncClient) -> CustomsAccount:
    return await request_memo(("customs_account", account_id), lambda: _load_customs_account(account_id, conn))


@cache
def customs_account_sql() -> str:
    return f"""SELECT {select_list(CustomsAccount, "a")}, {select_list(CustomsOffice, "o")}
    FROM customs_account a JOIN customs_office o ON o.id = a.office_id WHERE a.id = ? AND a.active"""


async def _load_customs_account(account_id: int, conn: BaseDBAsyncClient) -> CustomsAccount:
    """The active account with its office (every admin web request: admin_web/auth.py)."""
    found = await rows(customs_account_sql(), account_id, conn=conn)
    if not found:
        raise NotFound(MSG_NO_CUSTOMS_ACCOUNT)
    return model_from(CustomsAccount, found[0], "a", office=model_from(CustomsOffice, found[0], "o"))


async def access_question_for_customs(
    account_id: int, question_id: int, conn: BaseDBAsyncClient, *, for_update: bool = False
) -> tuple[Question, CustomsAccount]:
    account = await access_customs_account(account_id, conn)
    query = (Question.filter(customs_scope(account), id=question_id)
             .exclude(status__in=(Status.DELETED, Status.DRAFT, Status.PENDING_EXEC_REVIEW, Status.RETURNED_BY_EXEC))
             .using_db(conn))
    question = await (query.select_for_update() if for_update else query).first()
    if question is None:
        raise NotFound(QUESTION_NOT_FOUND)
    return question, account


def lifecycle_role(membership: Membership) -> Role:
    return Role(membership.role.value)


def customs_lifecycle_role(account: CustomsAccount) -> Role:
    return {CustomsRole.OFFICER: Role.OFFICER, CustomsRole.SUPERVISOR: Role.SUPERVISOR,
            CustomsRole.ADMIN: Role.CUSTOMS_ADMIN}[account.role]

