"""Fetching with the permission check: nothing is returned to someone who may not see it.

Outside their scope a question does not exist for the user (NotFound, 404), so its existence leaks nothing.
"""

from __future__ import annotations

from typing import Any

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


async def access_membership(person_id: int, enterprise_id: int, conn: BaseDBAsyncClient) -> Membership:
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

