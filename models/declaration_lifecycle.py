"""The declaration lifecycle as one pure transition table, and ``decide`` (MODULES.md §4, seed 004).

草稿 → 待审核 → 审核通过 / 审核退回 → 已申报 → 海关入库 → 放行 → 结关, with 删单 and 退单 from the single window's
receipts and 已删除 for a draft the preparer dropped. The preparer (the declaration's owner, holding
``declaration:entry``) edits, submits for review, withdraws and deletes; a reviewer (``declaration:review``, never
the preparer of the same declaration: the 单证复核 of an AEO enterprise is done by a second person) approves or
returns — when the enterprise turned 二复核 on, the first reviewer's pass (初审通过) waits for a second person holding
``declaration:review2`` (neither the preparer nor the first reviewer) to approve or return; the system moves it on
the receipts. tests/unit/declarations/test_declaration_lifecycle.py transcribes
the table independently and checks every status × action × capacity against this one.

No I/O, no clock, no async: callers pass the state, the action and the actor; a refusal raises a ``DomainError``
whose message is the Chinese text shown to the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from models.errors import Forbidden, IllegalTransition, ValidationFailed


class DeclarationStatus(StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    SECOND_REVIEW = "second_review"  # 二复核: passed by the first reviewer, waiting for a second one
    RETURNED = "returned"  # the reviewer sent it back to the preparer
    APPROVED = "approved"
    DECLARED = "declared"  # sent to the single window
    ENTERED = "entered"  # 海关入库
    RELEASED = "released"
    CLEARED = "cleared"  # 结关: final
    DELETED = "deleted"  # dropped by the preparer before it was declared
    CUSTOMS_DELETED = "customs_deleted"  # 删单 receipt: final
    REJECTED = "rejected"  # 退单 receipt: the preparer fixes and submits again

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def group(self) -> DeclarationGroup:
        return GROUP_OF[self]


STATUS_LABELS: Mapping[DeclarationStatus, str] = {
    DeclarationStatus.DRAFT: "草稿",
    DeclarationStatus.PENDING_REVIEW: "待审核",
    DeclarationStatus.SECOND_REVIEW: "待复核",
    DeclarationStatus.RETURNED: "审核退回",
    DeclarationStatus.APPROVED: "审核通过",
    DeclarationStatus.DECLARED: "已申报",
    DeclarationStatus.ENTERED: "海关入库",
    DeclarationStatus.RELEASED: "放行",
    DeclarationStatus.CLEARED: "结关",
    DeclarationStatus.DELETED: "已删除",
    DeclarationStatus.CUSTOMS_DELETED: "删单",
    DeclarationStatus.REJECTED: "退单",
}


class DeclarationGroup(StrEnum):
    """The entry list's four groups; every status lies in exactly one."""

    TODO = "todo"
    RETURNED = "returned"
    DECLARED = "declared"
    DELETED = "deleted"

    @property
    def label(self) -> str:
        return {"todo": "需处理", "returned": "被退回", "declared": "已申报", "deleted": "已删除"}[self.value]

    @property
    def statuses(self) -> tuple[DeclarationStatus, ...]:
        return tuple(status for status, group in GROUP_OF.items() if group is self)


GROUP_OF: Mapping[DeclarationStatus, DeclarationGroup] = {
    DeclarationStatus.DRAFT: DeclarationGroup.TODO,
    DeclarationStatus.PENDING_REVIEW: DeclarationGroup.TODO,
    DeclarationStatus.SECOND_REVIEW: DeclarationGroup.TODO,
    DeclarationStatus.APPROVED: DeclarationGroup.TODO,
    DeclarationStatus.RETURNED: DeclarationGroup.RETURNED,
    DeclarationStatus.REJECTED: DeclarationGroup.RETURNED,
    DeclarationStatus.DECLARED: DeclarationGroup.DECLARED,
    DeclarationStatus.ENTERED: DeclarationGroup.DECLARED,
    DeclarationStatus.RELEASED: DeclarationGroup.DECLARED,
    DeclarationStatus.CLEARED: DeclarationGroup.DECLARED,
    DeclarationStatus.DELETED: DeclarationGroup.DELETED,
    DeclarationStatus.CUSTOMS_DELETED: DeclarationGroup.DELETED,
}


class DeclarationAction(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"  # 提交审核 (again after a return or a 退单)
    WITHDRAW = "withdraw"
    DELETE = "delete"
    APPROVE = "approve"
    PASS_FIRST = "pass_first"  # 初审通过: to the second reviewer when the enterprise turned 二复核 on
    RETURN = "return"
    DECLARE = "declare"
    RECEIPT_ENTERED = "receipt_entered"
    RECEIPT_INSPECTED = "receipt_inspected"  # 查验: the status stays; an exception is registered
    RECEIPT_RELEASED = "receipt_released"
    RECEIPT_CLEARED = "receipt_cleared"
    RECEIPT_DELETED = "receipt_deleted"
    RECEIPT_REJECTED = "receipt_rejected"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS: Mapping[DeclarationAction, str] = {
    DeclarationAction.CREATE: "新建",
    DeclarationAction.EDIT: "修改",
    DeclarationAction.SUBMIT: "提交审核",
    DeclarationAction.WITHDRAW: "撤回",
    DeclarationAction.DELETE: "删除",
    DeclarationAction.APPROVE: "审核通过",
    DeclarationAction.PASS_FIRST: "初审通过",
    DeclarationAction.RETURN: "审核退回",
    DeclarationAction.DECLARE: "申报",
    DeclarationAction.RECEIPT_ENTERED: "海关入库回执",
    DeclarationAction.RECEIPT_INSPECTED: "查验回执",
    DeclarationAction.RECEIPT_RELEASED: "放行回执",
    DeclarationAction.RECEIPT_CLEARED: "结关回执",
    DeclarationAction.RECEIPT_DELETED: "删单回执",
    DeclarationAction.RECEIPT_REJECTED: "退单回执",
}


class Who(StrEnum):
    """The capacities named in the table."""

    ENTRANT = "entrant"  # holds declaration:entry (may create)
    PREPARER = "preparer"  # the declaration's owner, holding declaration:entry
    REVIEWER = "reviewer"  # holds declaration:review and is not the owner
    SECOND_REVIEWER = "second_reviewer"  # holds declaration:review2, neither the owner nor the first reviewer
    SYSTEM = "system"  # the single window's receipts

    @property
    def label(self) -> str:
        return {"entrant": "录入人员", "preparer": "制单人", "reviewer": "审核人",
                "second_reviewer": "复核人", "system": "系统"}[self.value]


S, A, W = DeclarationStatus, DeclarationAction, Who
EDITABLE = frozenset({S.DRAFT, S.RETURNED, S.REJECTED})  # the preparer may change the content
RECEIPTS = frozenset({A.RECEIPT_ENTERED, A.RECEIPT_INSPECTED, A.RECEIPT_RELEASED, A.RECEIPT_CLEARED,
                      A.RECEIPT_DELETED, A.RECEIPT_REJECTED})


@dataclass(frozen=True)
class Rule:
    who: frozenset[Who]
    target: DeclarationStatus | None  # None: the status stays (an edit)


def _rule(*who: Who, to: DeclarationStatus | None = None) -> Rule:
    return Rule(frozenset(who), to)


# (status or None for "does not exist yet", action) -> who may, and the status after.
TABLE: Mapping[tuple[DeclarationStatus | None, DeclarationAction], Rule] = {
    (None, A.CREATE): _rule(W.ENTRANT, to=S.DRAFT),
    **{(s, A.EDIT): _rule(W.PREPARER) for s in EDITABLE},
    **{(s, A.SUBMIT): _rule(W.PREPARER, to=S.PENDING_REVIEW) for s in EDITABLE},
    **{(s, A.DELETE): _rule(W.PREPARER, to=S.DELETED) for s in EDITABLE},
    (S.PENDING_REVIEW, A.WITHDRAW): _rule(W.PREPARER, to=S.DRAFT),
    (S.PENDING_REVIEW, A.APPROVE): _rule(W.REVIEWER, to=S.APPROVED),
    (S.PENDING_REVIEW, A.RETURN): _rule(W.REVIEWER, to=S.RETURNED),
    (S.PENDING_REVIEW, A.PASS_FIRST): _rule(W.REVIEWER, to=S.SECOND_REVIEW),
    (S.SECOND_REVIEW, A.APPROVE): _rule(W.SECOND_REVIEWER, to=S.APPROVED),
    (S.SECOND_REVIEW, A.RETURN): _rule(W.SECOND_REVIEWER, to=S.RETURNED),
    (S.APPROVED, A.RETURN): _rule(W.REVIEWER, to=S.RETURNED),  # a second look before it is declared
    (S.APPROVED, A.DECLARE): _rule(W.PREPARER, W.REVIEWER, to=S.DECLARED),
    (S.DECLARED, A.RECEIPT_ENTERED): _rule(W.SYSTEM, to=S.ENTERED),
    **{(s, A.RECEIPT_INSPECTED): _rule(W.SYSTEM) for s in (S.DECLARED, S.ENTERED)},  # 查验: the status stays
    (S.DECLARED, A.RECEIPT_RELEASED): _rule(W.SYSTEM, to=S.RELEASED),  # receipts may skip 入库
    (S.ENTERED, A.RECEIPT_RELEASED): _rule(W.SYSTEM, to=S.RELEASED),
    (S.RELEASED, A.RECEIPT_CLEARED): _rule(W.SYSTEM, to=S.CLEARED),
    **{(s, A.RECEIPT_DELETED): _rule(W.SYSTEM, to=S.CUSTOMS_DELETED) for s in (S.DECLARED, S.ENTERED, S.RELEASED)},
    **{(s, A.RECEIPT_REJECTED): _rule(W.SYSTEM, to=S.REJECTED) for s in (S.DECLARED, S.ENTERED)},
}

# How a status reads in a refusal: "报关单{phrase}，不能{action}".
_PHRASE: Mapping[DeclarationStatus | None, str] = {None: "尚不存在", **{s: f"状态为“{s.label}”" for s in S}}
MSG_OWN_REVIEW = "不能审核本人录入的报关单"
MSG_SAME_SECOND = "二复核须由初审以外的另一人完成"
MSG_RETURN_REASON = "请填写退回原因"


@dataclass(frozen=True)
class DeclarationState:
    status: DeclarationStatus | None
    owner_id: int | None = None
    first_reviewer_id: int | None = None  # who passed it to 二复核


@dataclass(frozen=True)
class Actor:
    """A person with what their decision allows, or the system (``person_id`` None)."""

    person_id: int | None
    may_enter: bool = False
    may_review: bool = False
    may_review2: bool = False

    @classmethod
    def system(cls) -> Actor:
        return cls(None)


def capacities(state: DeclarationState, actor: Actor) -> frozenset[Who]:
    if actor.person_id is None:
        return frozenset({W.SYSTEM})
    own = actor.person_id == state.owner_id
    found = set()
    if actor.may_enter:
        found.add(W.ENTRANT)
        if own:
            found.add(W.PREPARER)
    if actor.may_review and not own:
        found.add(W.REVIEWER)
    if actor.may_review2 and not own and actor.person_id != state.first_reviewer_id:
        found.add(W.SECOND_REVIEWER)
    return frozenset(found)


def decide(state: DeclarationState, action: DeclarationAction, actor: Actor, *, reason: str = "") -> DeclarationStatus:
    """The status after ``action``, or the refusal (status first, then who, then the action's own input)."""
    rule = TABLE.get((state.status, action))
    if rule is None:
        raise IllegalTransition(f"报关单{_PHRASE[state.status]}，不能{action.label}")
    if not rule.who & capacities(state, actor):
        if W.REVIEWER in rule.who and actor.may_review and actor.person_id == state.owner_id:
            raise Forbidden(MSG_OWN_REVIEW)
        if W.SECOND_REVIEWER in rule.who and actor.may_review2 and actor.person_id == state.first_reviewer_id:
            raise Forbidden(MSG_SAME_SECOND)
        raise Forbidden(f"只有{'或'.join(w.label for w in sorted(rule.who))}可以{action.label}")
    if action is A.RETURN and not reason.strip():
        raise ValidationFailed(MSG_RETURN_REASON, field="reason")
    target = rule.target if rule.target is not None else state.status
    assert target is not None  # CREATE always has a target
    return target
