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
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from models.customs_accounts import CustomsAccount, CustomsRole
from models.enterprises import EnterpriseStatus, Membership
from models.errors import NotFound
from models.lifecycle import Role, Status
from models.offices import CustomsOffice
from models.questions import Question

MSG_NO_CUSTOMS_ACCOUNT = "海关账号不存在或已停用"
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


async def access_membership(person_id: int, enterprise_id: int, conn: BaseDBAsyncClient) -> Membership:
    return await request_memo(("membership", person_id, enterprise_id),
                              lambda: _load_membership(person_id, enterprise_id, conn))


async def _load_membership(person_id: int, enterprise_id: int, conn: BaseDBAsyncClient) -> Membership:
    membership = await Membership.filter(
        person_id=person_id, enterprise_id=enterprise_id, active=True, person__active=True
    ).using_db(conn).select_related("enterprise", "person").first()
    if membership is None or membership.enterprise.status is EnterpriseStatus.DISABLED:
        raise NotFound("企业不存在或您不是该企业的成员")
    return membership


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


async def _load_customs_account(account_id: int, conn: BaseDBAsyncClient) -> CustomsAccount:
    account = await CustomsAccount.filter(id=account_id, active=True).using_db(conn).select_related("office").first()
    if account is None:
        raise NotFound(MSG_NO_CUSTOMS_ACCOUNT)
    return account


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

