"""The declaration lifecycle, transcribed independently from the issue (草稿 → 待审核 (→ 待复核 with 二复核, approved
by a second person) → 审核通过 / 审核退回 → 已申报 → 海关入库 → 放行 → 结关; 删单 and 退单 from receipts) and checked
against the table: every status × action × actor."""

from __future__ import annotations

import itertools

import pytest

from models.declaration_lifecycle import (
    GROUP_OF,
    Actor,
    DeclarationAction,
    DeclarationGroup,
    DeclarationState,
    DeclarationStatus,
    decide,
)
from models.errors import DomainError, Forbidden, IllegalTransition, ValidationFailed

OWNER, OTHER, FIRST, SECOND = 7, 8, 9, 10  # FIRST passed the declaration to 二复核
# The actors a rule can meet, by name: who they are and what their decision allows.
ACTORS = {
    "preparer": Actor(OWNER, may_enter=True),  # the owner with declaration:entry
    "preparer_reviewer": Actor(OWNER, may_enter=True, may_review=True),  # owner holding both codes
    "colleague": Actor(OTHER, may_enter=True),  # entry but not the owner
    "reviewer": Actor(OTHER, may_review=True),
    "first_reviewer": Actor(FIRST, may_review=True, may_review2=True),  # holds both; passed it first
    "second_reviewer": Actor(SECOND, may_review2=True),
    "nobody": Actor(OTHER),
    "system": Actor.system(),
}

# Written from the words, not from the module: (status, action) -> (actor names allowed, status after).
DRAFT, PENDING, RETURNED, APPROVED = "draft", "pending_review", "returned", "approved"
SECOND_REVIEW = "second_review"
DECLARED, ENTERED, RELEASED, CLEARED = "declared", "entered", "released", "cleared"
DELETED, CUSTOMS_DELETED, REJECTED = "deleted", "customs_deleted", "rejected"
PREPARERS = {"preparer", "preparer_reviewer"}
REVIEWERS = {"reviewer", "first_reviewer"}
EXPECTED: dict[tuple[str | None, str], tuple[set[str], str]] = {
    (None, "create"): ({"preparer", "preparer_reviewer", "colleague"}, DRAFT),
    (DRAFT, "edit"): (PREPARERS, DRAFT),
    (RETURNED, "edit"): (PREPARERS, RETURNED),
    (REJECTED, "edit"): (PREPARERS, REJECTED),
    (DRAFT, "submit"): (PREPARERS, PENDING),
    (RETURNED, "submit"): (PREPARERS, PENDING),
    (REJECTED, "submit"): (PREPARERS, PENDING),
    (DRAFT, "delete"): (PREPARERS, DELETED),
    (RETURNED, "delete"): (PREPARERS, DELETED),
    (REJECTED, "delete"): (PREPARERS, DELETED),
    (PENDING, "withdraw"): (PREPARERS, DRAFT),
    (PENDING, "approve"): (REVIEWERS, APPROVED),
    (PENDING, "return"): (REVIEWERS, RETURNED),
    (PENDING, "pass_first"): (REVIEWERS, SECOND_REVIEW),  # 二复核 on: a second person approves or returns
    (SECOND_REVIEW, "approve"): ({"second_reviewer"}, APPROVED),
    (SECOND_REVIEW, "return"): ({"second_reviewer"}, RETURNED),
    (APPROVED, "return"): (REVIEWERS, RETURNED),
    (APPROVED, "declare"): (PREPARERS | REVIEWERS, DECLARED),
    (DECLARED, "receipt_entered"): ({"system"}, ENTERED),
    (DECLARED, "receipt_released"): ({"system"}, RELEASED),
    (DECLARED, "receipt_inspected"): ({"system"}, DECLARED),  # 查验: the status stays
    (ENTERED, "receipt_inspected"): ({"system"}, ENTERED),
    (ENTERED, "receipt_released"): ({"system"}, RELEASED),
    (RELEASED, "receipt_cleared"): ({"system"}, CLEARED),
    (DECLARED, "receipt_deleted"): ({"system"}, CUSTOMS_DELETED),
    (ENTERED, "receipt_deleted"): ({"system"}, CUSTOMS_DELETED),
    (RELEASED, "receipt_deleted"): ({"system"}, CUSTOMS_DELETED),
    (DECLARED, "receipt_rejected"): ({"system"}, REJECTED),
    (ENTERED, "receipt_rejected"): ({"system"}, REJECTED),
}
STATUSES: list[DeclarationStatus | None] = [None, *DeclarationStatus]
CASES = list(itertools.product(STATUSES, DeclarationAction, ACTORS))


@pytest.mark.parametrize(("status", "action", "actor"), CASES,
                         ids=[f"{s}-{a.value}-{n}" for s, a, n in CASES])
def test_every_status_action_and_actor(status: DeclarationStatus | None, action: DeclarationAction,
                                       actor: str) -> None:
    state = DeclarationState(status, owner_id=OWNER, first_reviewer_id=FIRST)
    expected = EXPECTED.get((status.value if status else None, action.value))
    if expected is not None and actor in expected[0]:
        assert decide(state, action, ACTORS[actor], reason="单价有误").value == expected[1]
        return
    with pytest.raises(DomainError) as refused:
        decide(state, action, ACTORS[actor], reason="单价有误")
    # a wrong status is an illegal transition (409); the right status but the wrong person is forbidden (403)
    assert isinstance(refused.value, Forbidden if expected is not None else IllegalTransition)
    assert refused.value.message


def test_refusals_read_in_chinese_and_name_the_reason() -> None:
    with pytest.raises(IllegalTransition, match="报关单状态为“已申报”，不能删除"):
        decide(DeclarationState(DeclarationStatus.DECLARED, OWNER), DeclarationAction.DELETE, ACTORS["preparer"])
    with pytest.raises(Forbidden, match="不能审核本人录入的报关单"):
        decide(DeclarationState(DeclarationStatus.PENDING_REVIEW, OWNER), DeclarationAction.APPROVE,
               ACTORS["preparer_reviewer"])
    with pytest.raises(Forbidden, match="只有制单人可以提交审核"):
        decide(DeclarationState(DeclarationStatus.DRAFT, OWNER), DeclarationAction.SUBMIT, ACTORS["colleague"])
    with pytest.raises(Forbidden, match="二复核须由初审以外的另一人完成"):
        decide(DeclarationState(DeclarationStatus.SECOND_REVIEW, OWNER, FIRST), DeclarationAction.APPROVE,
               ACTORS["first_reviewer"])


def test_a_return_needs_its_reason_beside_the_reason_field() -> None:
    with pytest.raises(ValidationFailed) as refused:
        decide(DeclarationState(DeclarationStatus.PENDING_REVIEW, OWNER), DeclarationAction.RETURN,
               ACTORS["reviewer"], reason="  ")
    assert (refused.value.field, refused.value.message) == ("reason", "请填写退回原因")


def test_every_status_lies_in_exactly_one_list_group() -> None:
    assert set(GROUP_OF) == set(DeclarationStatus)
    assert {s.value for s in DeclarationGroup.TODO.statuses} == {DRAFT, PENDING, SECOND_REVIEW, APPROVED}
    assert {s.value for s in DeclarationGroup.RETURNED.statuses} == {RETURNED, REJECTED}
    assert {s.value for s in DeclarationGroup.DECLARED.statuses} == {DECLARED, ENTERED, RELEASED, CLEARED}
    assert {s.value for s in DeclarationGroup.DELETED.statuses} == {DELETED, CUSTOMS_DELETED}
