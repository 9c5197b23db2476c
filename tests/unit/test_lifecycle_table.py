"""The lifecycle transition table (models/lifecycle.py) against its specification, transcribed below.

The specification is the question lifecycle of the customs question-clearing (问题清零) systems, merged from the
user manuals of the Liaoning and Nanjing systems: the statuses, who may do what from which status, the
evaluation rules and the 7-day auto-close period. Its table is transcribed here by hand (``SPEC_ROWS``; the
quoted phrases in the comments are its wording) and the small ``expected_*`` functions apply its rules, an
independent oracle: nothing is read back from ``models.lifecycle.TABLE``. Pure: no database, no I/O, no clock
(every ``now`` is passed in).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from models.errors import DomainError, Forbidden, IllegalTransition, ValidationFailed
from models.lifecycle import (
    Action,
    Actor,
    ClosedBy,
    Command,
    Evaluation,
    Importance,
    Policy,
    QuestionState,
    ReplyKind,
    Role,
    Status,
    allowed_actions,
    auto_close_decisions,
    decide,
    mermaid,
    note_hint,
    refusal,
)

# ---- the world: people, capacities, times ------------------------------------------------------------------

CREATOR = 1  # the person who asked (acts as staff, admin or executive depending on the capacity)
OTHER_STAFF = 2
OTHER_ADMIN = 3
CHOSEN_EXEC = 4  # the executive chosen as reviewer
OTHER_EXEC = 5
NOT_AN_EXEC = 99

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # when the reply / evaluation happened
DAYS = 7  # the specification: the period is 7 days
WITHIN = T0 + timedelta(days=DAYS) - timedelta(seconds=1)  # still inside the period
AFTER = T0 + timedelta(days=DAYS) + timedelta(seconds=1)  # the period is over
MATRIX_NOW = T0 + timedelta(days=1)

DEFAULT_POLICY = Policy()
STRICT_POLICY = Policy(note_required={Evaluation.SOLVED: "never", Evaluation.AGREED: "always",
                                      Evaluation.NOT_SOLVED: "always", Evaluation.PARTLY_SOLVED: "always"})
LENIENT_POLICY = Policy(note_required={Evaluation.SOLVED: "never", Evaluation.AGREED: "always",
                                       Evaluation.NOT_SOLVED: "never", Evaluation.PARTLY_SOLVED: "never"})

NOTE = "补充说明"
FORWARD_TO = 7  # an office id: which offices qualify is the service's check (services/questions/forwarding.py)
APPENDED = "追加的问题描述"


@dataclass(frozen=True)
class Capacity:
    """One way of standing in front of a question: a role, and whether that person asked / was chosen."""

    id: str
    actor: Actor
    is_creator: bool = False
    is_chosen: bool = False

    @property
    def role(self) -> Role:
        return self.actor.role

    @property
    def enterprise(self) -> bool:
        return self.role in (Role.STAFF, Role.ADMIN, Role.EXECUTIVE)


CAPACITIES = [
    Capacity("staff_creator", Actor(Role.STAFF, CREATOR), is_creator=True),
    Capacity("staff_other", Actor(Role.STAFF, OTHER_STAFF)),
    Capacity("admin_creator", Actor(Role.ADMIN, CREATOR), is_creator=True),
    Capacity("admin_other", Actor(Role.ADMIN, OTHER_ADMIN)),
    Capacity("exec_creator", Actor(Role.EXECUTIVE, CREATOR), is_creator=True),
    Capacity("exec_chosen", Actor(Role.EXECUTIVE, CHOSEN_EXEC), is_chosen=True),
    Capacity("exec_other", Actor(Role.EXECUTIVE, OTHER_EXEC)),
    Capacity("officer", Actor(Role.OFFICER, 10)),
    Capacity("supervisor", Actor(Role.SUPERVISOR, 11)),
    Capacity("customs_admin", Actor(Role.CUSTOMS_ADMIN, 12)),
    Capacity("system", Actor(Role.SYSTEM, None)),
]
CAP = {c.id: c for c in CAPACITIES}
STATUSES: list[Status | None] = [None, *Status]
ACTIONS = list(Action)


def base_state(status: Status | None, reply_kind: ReplyKind | None = None,
               **changes: object) -> QuestionState:
    """A question in ``status`` where every guard of the spec passes (review required, 2 executives)."""
    reviewed = status not in (None, Status.DRAFT)
    if reply_kind is None and status in (Status.REPLIED, Status.AWAITING_APPEND, Status.CLOSED):
        reply_kind = ReplyKind.ANSWER
    state = QuestionState(
        status=status,
        creator_id=CREATOR,
        round=1,
        reply_kind=reply_kind,
        assigned_executive_id=CHOSEN_EXEC if reviewed else None,
        executive_ids=(CHOSEN_EXEC, OTHER_EXEC),
        review_required=True,
        enterprise_active=True,
        allow_publication=True,
        published=True,
        replied_at=T0 if status in (Status.REPLIED, Status.AWAITING_APPEND, Status.CLOSED) else None,
        evaluated_at=T0 if status in (Status.AWAITING_APPEND, Status.CLOSED) else None,
    )
    return replace(state, **changes)


def well_formed(action: Action) -> Command:
    """The command a well-formed request for ``action`` carries (the matrix evaluates with 2 + a note)."""
    return {
        Action.CREATE: Command(Action.CREATE, text="问题描述"),
        Action.EDIT: Command(Action.EDIT, text="修改后的描述"),
        Action.SUBMIT: Command(Action.SUBMIT, executive_id=CHOSEN_EXEC),
        Action.EXEC_EDIT: Command(Action.EXEC_EDIT, text="高管修改后的描述"),
        Action.EXEC_RETURN: Command(Action.EXEC_RETURN, text="退回原因"),
        Action.EXEC_APPROVE: Command(Action.EXEC_APPROVE, importance=Importance.NORMAL),
        Action.REPLY: Command(Action.REPLY, reply_kind=ReplyKind.ANSWER, text="答复内容"),
        Action.EVALUATE: Command(Action.EVALUATE, evaluation=Evaluation.AGREED, text=NOTE),
        Action.APPEND: Command(Action.APPEND, appended_text=APPENDED),
        Action.PUBLISH: Command(Action.PUBLISH, text="公开文本"),
        Action.FORWARD: Command(Action.FORWARD, text="转交原因", office_id=FORWARD_TO),
    }.get(action, Command(action))


def matrix_now(action: Action) -> datetime:
    """Auto-close is tried after the period, everything else (append in particular) within it."""
    return AFTER if action is Action.AUTO_CLOSE else MATRIX_NOW


# ---- the oracle: the specification's transition table, transcribed -----------------------------------------


def spec_review_required(state: QuestionState, cap: Capacity) -> bool:
    """The specification: "the enterprise requires executive review AND the actor is not an executive"."""
    return state.review_required and cap.role is not Role.EXECUTIVE


def to_review_or_submitted(state: QuestionState, cap: Capacity) -> Status:
    return Status.PENDING_EXEC_REVIEW if spec_review_required(state, cap) else Status.SUBMITTED


@dataclass(frozen=True)
class Expect:
    """An expected outcome (``status``) or refusal (``error``, optionally its exact message / field)."""

    status: Status | None = None
    error: type[DomainError] | None = None
    message: str | None = None
    field: str | None = None
    closed_by: ClosedBy | None = None
    assigned: int | None = None
    new_round: bool = False
    records_accept: bool | None = False  # None: not checked

    def __str__(self) -> str:
        return self.error.__name__ if self.error else str(self.status)


@dataclass(frozen=True)
class SpecRow:
    """One line of the spec's table: who may act, where it leads, and (``replied``) for which reply kinds."""

    actors: tuple[str, ...]
    to: Status | str | Callable[[QuestionState, Capacity], Status]  # "unchanged" / "evaluation" are special
    reply_kinds: tuple[ReplyKind, ...] | None = None


ENTERPRISE_ROLES = ("staff", "admin", "executive")
ANY_KIND = (ReplyKind.ANSWER, ReplyKind.RETURN, ReplyKind.NEEDS_MODIFICATION)
S, A = Status, Action

SPEC_ROWS: dict[tuple[Status | None, Action], SpecRow] = {
    (None, A.CREATE): SpecRow(ENTERPRISE_ROLES, S.DRAFT),
    (S.DRAFT, A.SUBMIT): SpecRow(("creator",), to_review_or_submitted),
    (S.DRAFT, A.EDIT): SpecRow(("creator",), S.DRAFT),
    (S.DRAFT, A.DELETE): SpecRow(("creator", "admin"), S.DELETED),
    (S.PENDING_EXEC_REVIEW, A.EXEC_EDIT): SpecRow(("chosen executive",), S.PENDING_EXEC_REVIEW),
    (S.PENDING_EXEC_REVIEW, A.EXEC_RETURN): SpecRow(("chosen executive",), S.RETURNED_BY_EXEC),
    (S.PENDING_EXEC_REVIEW, A.EXEC_APPROVE): SpecRow(("chosen executive",), S.SUBMITTED),
    (S.RETURNED_BY_EXEC, A.EDIT): SpecRow(("creator",), S.RETURNED_BY_EXEC),
    (S.RETURNED_BY_EXEC, A.SUBMIT): SpecRow(("creator",), S.PENDING_EXEC_REVIEW),
    (S.RETURNED_BY_EXEC, A.DELETE): SpecRow(("creator", "admin"), S.DELETED),
    (S.SUBMITTED, A.WITHDRAW): SpecRow(("creator", "admin", "executive"), S.WITHDRAWN),
    (S.WITHDRAWN, A.EDIT): SpecRow(("creator", "admin"), S.WITHDRAWN),
    (S.WITHDRAWN, A.SUBMIT): SpecRow(("creator", "admin"), to_review_or_submitted),
    (S.WITHDRAWN, A.DELETE): SpecRow(("creator", "admin"), S.DELETED),
    (S.SUBMITTED, A.ACCEPT): SpecRow(("officer", "supervisor"), S.ACCEPTED),
    (S.SUBMITTED, A.REPLY): SpecRow(("officer", "supervisor"), S.REPLIED),
    (S.ACCEPTED, A.REPLY): SpecRow(("officer", "supervisor"), S.REPLIED),
    (S.REPLIED, A.EDIT): SpecRow(("creator", "admin"), S.REPLIED, (ReplyKind.NEEDS_MODIFICATION,)),
    (S.REPLIED, A.SUBMIT): SpecRow(("creator", "admin"), to_review_or_submitted,
                                   (ReplyKind.NEEDS_MODIFICATION,)),
    (S.REPLIED, A.EVALUATE): SpecRow(("creator", "admin", "executive"), "evaluation", (ReplyKind.ANSWER,)),
    (S.AWAITING_APPEND, A.EVALUATE): SpecRow(("creator", "admin", "executive"), "evaluation"),
    (S.AWAITING_APPEND, A.APPEND): SpecRow(("creator", "admin", "executive"), S.SUBMITTED),
    (S.REPLIED, A.AUTO_CLOSE): SpecRow(("system",), S.CLOSED, ANY_KIND),
    (S.AWAITING_APPEND, A.AUTO_CLOSE): SpecRow(("system",), S.CLOSED),
    # Issue 5 §3 "forward to another department" (not in the specification's table): from submitted and accepted,
    # by customs of the question's scope, status unchanged; the office changes (the service's part).
    (S.SUBMITTED, A.FORWARD): SpecRow(("officer", "supervisor"), "unchanged"),
    (S.ACCEPTED, A.FORWARD): SpecRow(("officer", "supervisor"), "unchanged"),
    **{
        (status, action): SpecRow(("supervisor",), "unchanged")
        for status in (S.REPLIED, S.AWAITING_APPEND, S.CLOSED)
        for action in (A.PUBLISH, A.UNPUBLISH)
    },
}

# "closed_by records evaluation / auto-close / customs return"; the auto-close reason per case (brief, spec).
SPEC_AUTO_CLOSE_REASON = {
    (S.REPLIED, ReplyKind.ANSWER): ClosedBy.DEEMED_ACCEPTED,  # "answer kind → deemed accepted"
    (S.REPLIED, ReplyKind.RETURN): ClosedBy.CUSTOMS_RETURN,  # "it closes by the timer"
    (S.REPLIED, ReplyKind.NEEDS_MODIFICATION): ClosedBy.MODIFICATION_EXPIRED,
    (S.AWAITING_APPEND, ReplyKind.ANSWER): ClosedBy.APPEND_EXPIRED,
}


def spec_actor_matches(term: str, cap: Capacity, state: QuestionState) -> bool:
    """Whether ``cap`` is what the spec's actor column calls ``term``."""
    if term == "creator":
        return cap.enterprise and cap.actor.person_id == state.creator_id
    if term == "chosen executive":
        return cap.role is Role.EXECUTIVE and cap.actor.person_id == state.assigned_executive_id
    return cap.role.value == term


def expected_evaluation(evaluation: Evaluation, note: bool, appended: bool, policy_name: str) -> Expect:
    """The specification's evaluation rows (and its configurable note rules) for one evaluation request."""
    note_rules = {
        "default": {Evaluation.AGREED: "always", Evaluation.NOT_SOLVED: "unless_appended",
                    Evaluation.PARTLY_SOLVED: "unless_appended"},
        "strict": {Evaluation.AGREED: "always", Evaluation.NOT_SOLVED: "always",
                   Evaluation.PARTLY_SOLVED: "always"},
        "lenient": {Evaluation.AGREED: "always"},
    }[policy_name]
    rule = note_rules.get(evaluation, "never")
    if evaluation in (Evaluation.SOLVED, Evaluation.AGREED):
        if appended:  # 1: "no append allowed"; 2: no row takes an appended question
            return Expect(error=ValidationFailed, field="appended_text")
        if rule == "always" and not note:
            return Expect(error=ValidationFailed, field="note")
        return Expect(S.CLOSED, closed_by=ClosedBy.EVALUATION)
    if not note and (rule == "always" or (rule == "unless_appended" and not appended)):
        return Expect(error=ValidationFailed, field="note")
    if appended:
        return Expect(S.SUBMITTED, new_round=True)  # "new round (round + 1), straight to customs"
    return Expect(S.AWAITING_APPEND)


def expected_matrix(state: QuestionState, action: Action, cap: Capacity) -> Expect:
    """What the specification says a well-formed ``action`` by ``cap`` does to ``state`` (other guards pass)."""
    row = SPEC_ROWS.get((state.status, action))
    if row is None:  # "Anything not in this table is refused with a Chinese reason that names the status"
        return Expect(error=IllegalTransition, message=refusal(state.status, action))
    if not any(spec_actor_matches(term, cap, state) for term in row.actors):
        return Expect(error=Forbidden)
    if row.reply_kinds is not None and state.reply_kind not in row.reply_kinds:
        return Expect(error=IllegalTransition)  # e.g. replied(return): "no action" for the enterprise
    if row.to == "unchanged":
        assert state.status is not None
        return Expect(state.status)
    if row.to == "evaluation":
        return expected_evaluation(Evaluation.AGREED, note=True, appended=False, policy_name="default")
    to = row.to(state, cap) if callable(row.to) else row.to
    assert isinstance(to, Status)
    return Expect(
        to,
        closed_by=SPEC_AUTO_CLOSE_REASON[(state.status, state.reply_kind)] if action is A.AUTO_CLOSE
        else None,
        assigned=CHOSEN_EXEC if to is S.PENDING_EXEC_REVIEW and action is A.SUBMIT else None,
        new_round=action is A.APPEND,
        # "from submitted the acceptance is recorded first"; for accept the service records it by action
        records_accept=None if action is A.ACCEPT else (action is A.REPLY and state.status is S.SUBMITTED),
    )


# ---- checking ----------------------------------------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")


def check(expect: Expect, state: QuestionState, command: Command, actor: Actor,
          policy: Policy = DEFAULT_POLICY, now: datetime = MATRIX_NOW) -> None:
    """Run ``decide`` and compare with ``expect``: exact refusal class (and message/field), or the outcome."""
    if expect.error is not None:
        with pytest.raises(DomainError) as info:
            decide(state, command, actor, policy, now)
        error = info.value
        assert type(error) is expect.error, f"{type(error).__name__}: {error.message}"
        assert CJK.search(error.message), f"refusal not in Chinese: {error.message!r}"
        if expect.message is not None:
            assert error.message == expect.message
        if expect.field is not None:
            assert error.field == expect.field
        return
    outcome = decide(state, command, actor, policy, now)
    assert outcome.status is expect.status
    assert outcome.closed_by is expect.closed_by
    assert outcome.assigned_executive_id == expect.assigned
    assert outcome.new_round is expect.new_round
    if expect.records_accept is not None:
        assert outcome.records_accept is expect.records_accept


def succeeds(state: QuestionState, command: Command, actor: Actor, policy: Policy, now: datetime) -> bool:
    try:
        decide(state, command, actor, policy, now)
    except DomainError:
        return False
    return True


# ---- 1. the exhaustive matrix: status × action × capacity --------------------------------------------------


def matrix_cases(states: list[QuestionState]) -> Iterator[object]:
    for state, action, cap in itertools.product(states, ACTIONS, CAPACITIES):
        kind = f"({state.reply_kind.value})" if state.status is S.REPLIED and state.reply_kind else ""
        name = f"{state.status.value if state.status else 'none'}{kind}-{action.value}-{cap.id}"
        yield pytest.param(state, action, cap, id=name)


MATRIX = list(matrix_cases([base_state(status) for status in STATUSES]))
OTHER_REPLY_KINDS = [base_state(S.REPLIED, kind) for kind in (ReplyKind.RETURN, ReplyKind.NEEDS_MODIFICATION)]
REPLY_KIND_MATRIX = list(matrix_cases(OTHER_REPLY_KINDS))


def test_matrix_enumerates_every_case() -> None:
    """Nothing is silently dropped: (statuses + None) × actions × capacities, and the ids are unique."""
    assert len(STATUSES) == 11 and len(ACTIONS) == 16 and len(CAPACITIES) == 11
    assert len(MATRIX) == len(STATUSES) * len(ACTIONS) * len(CAPACITIES) == 1936
    assert len(REPLY_KIND_MATRIX) == 2 * len(ACTIONS) * len(CAPACITIES)
    assert len({p.id for p in MATRIX + REPLY_KIND_MATRIX}) == len(MATRIX) + len(REPLY_KIND_MATRIX)


@pytest.mark.parametrize(("state", "action", "cap"), MATRIX)
def test_matrix(state: QuestionState, action: Action, cap: Capacity) -> None:
    """Every status (replied: answer) × action × capacity, with a well-formed command."""
    check(expected_matrix(state, action, cap), state, well_formed(action), cap.actor, now=matrix_now(action))


@pytest.mark.parametrize(("state", "action", "cap"), REPLY_KIND_MATRIX)
def test_matrix_other_reply_kinds(state: QuestionState, action: Action, cap: Capacity) -> None:
    """The same for replied(return) and replied(needs_modification)."""
    check(expected_matrix(state, action, cap), state, well_formed(action), cap.actor, now=matrix_now(action))


# ---- 2. row-specific rules ---------------------------------------------------------------------------------

SUBMIT_FROM = [
    (S.DRAFT, None, ("staff_creator", "admin_creator", "exec_creator")),
    (S.WITHDRAWN, None, ("staff_creator", "admin_creator", "exec_creator", "admin_other")),
    (S.REPLIED, ReplyKind.NEEDS_MODIFICATION,
     ("staff_creator", "admin_creator", "exec_creator", "admin_other")),
]


@pytest.mark.parametrize(
    ("status", "kind", "cap_id", "review"),
    [
        pytest.param(status, kind, cap_id, review, id=f"{status.value}-{cap_id}-review_{review}")
        for status, kind, cap_ids in SUBMIT_FROM
        for cap_id in cap_ids
        for review in (True, False)
    ],
)
def test_submit_goes_to_review_only_when_required(status: Status, kind: ReplyKind | None, cap_id: str,
                                                  review: bool) -> None:
    """Review if the enterprise requires it and the submitter is no executive; else straight to customs."""
    cap = CAP[cap_id]
    state = base_state(status, kind, review_required=review)
    if review and cap.role is not Role.EXECUTIVE:
        expect = Expect(S.PENDING_EXEC_REVIEW, assigned=CHOSEN_EXEC)
    else:
        expect = Expect(S.SUBMITTED)
    check(expect, state, Command(A.SUBMIT, executive_id=CHOSEN_EXEC), cap.actor)


@pytest.mark.parametrize(
    ("executives", "choice", "expect"),
    [
        pytest.param((CHOSEN_EXEC, OTHER_EXEC), None, Expect(error=ValidationFailed, field="executive_id"),
                     id="several-no_choice-refused"),
        pytest.param((CHOSEN_EXEC, OTHER_EXEC), OTHER_EXEC,
                     Expect(S.PENDING_EXEC_REVIEW, assigned=OTHER_EXEC), id="several-chosen"),
        pytest.param((CHOSEN_EXEC,), None, Expect(S.PENDING_EXEC_REVIEW, assigned=CHOSEN_EXEC),
                     id="one-automatic"),
        pytest.param((CHOSEN_EXEC,), CHOSEN_EXEC, Expect(S.PENDING_EXEC_REVIEW, assigned=CHOSEN_EXEC),
                     id="one-chosen"),
        pytest.param((), None, Expect(error=IllegalTransition), id="none-refused"),
        pytest.param((CHOSEN_EXEC, OTHER_EXEC), NOT_AN_EXEC,
                     Expect(error=ValidationFailed, field="executive_id"), id="non_member-refused"),
        pytest.param((CHOSEN_EXEC,), NOT_AN_EXEC, Expect(error=ValidationFailed, field="executive_id"),
                     id="one-non_member-refused"),
    ],
)
def test_executive_choice_on_submit(executives: tuple[int, ...], choice: int | None, expect: Expect) -> None:
    """With review the executive is chosen: required with several, automatic with one, refused with none."""
    state = base_state(S.DRAFT, executive_ids=executives)
    check(expect, state, Command(A.SUBMIT, executive_id=choice), CAP["staff_creator"].actor)


def test_no_executive_needed_without_review() -> None:
    """Without review required, an enterprise with no executive submits straight to customs."""
    state = base_state(S.DRAFT, review_required=False, executive_ids=())
    check(Expect(S.SUBMITTED), state, Command(A.SUBMIT), CAP["staff_creator"].actor)


@pytest.mark.parametrize("review", [True, False], ids=["review_required", "review_not_required"])
def test_returned_by_exec_submit_goes_back_to_review(review: bool) -> None:
    """returned_by_exec → submit → pending_exec_review (the table gives no other target)."""
    state = base_state(S.RETURNED_BY_EXEC, review_required=review)
    check(Expect(S.PENDING_EXEC_REVIEW, assigned=CHOSEN_EXEC), state,
          Command(A.SUBMIT, executive_id=CHOSEN_EXEC), CAP["staff_creator"].actor)


@pytest.mark.parametrize(
    ("action", "command", "field"),
    [
        pytest.param(A.EXEC_RETURN, Command(A.EXEC_RETURN, text="  "), "reason", id="return-without_reason"),
        pytest.param(A.EXEC_APPROVE, Command(A.EXEC_APPROVE), "importance", id="approve-without_importance"),
    ],
)
def test_exec_review_requires_reason_and_importance(action: Action, command: Command, field: str) -> None:
    """exec_return needs a reason, exec_approve an importance."""
    check(Expect(error=ValidationFailed, field=field), base_state(S.PENDING_EXEC_REVIEW), command,
          CAP["exec_chosen"].actor)


@pytest.mark.parametrize("importance", list(Importance), ids=lambda i: i.value)
def test_exec_approve_with_each_importance(importance: Importance) -> None:
    """一般 / 重要 / 紧急 each submit the question to customs."""
    check(Expect(S.SUBMITTED), base_state(S.PENDING_EXEC_REVIEW),
          Command(A.EXEC_APPROVE, importance=importance), CAP["exec_chosen"].actor)


@pytest.mark.parametrize("cap_id",
                         ["staff_creator", "admin_creator", "admin_other", "exec_creator", "exec_other"])
@pytest.mark.parametrize("round_", [1, 2, 3], ids=lambda r: f"round{r}")
def test_withdraw_only_first_round(cap_id: str, round_: int) -> None:
    """submitted → withdrawn, refused for an appended round with "追加的问题不可撤回"."""
    state = base_state(S.SUBMITTED, round=round_)
    expect = Expect(error=IllegalTransition, message="追加的问题不可撤回") if round_ > 1 else Expect(S.WITHDRAWN)
    check(expect, state, Command(A.WITHDRAW), CAP[cap_id].actor)


@pytest.mark.parametrize("kind", list(ReplyKind), ids=lambda k: k.value)
@pytest.mark.parametrize("from_status", [S.SUBMITTED, S.ACCEPTED], ids=lambda s: s.value)
@pytest.mark.parametrize("cap_id", ["officer", "supervisor"])
def test_reply_records_acceptance_from_submitted(kind: ReplyKind, from_status: Status, cap_id: str) -> None:
    """Every reply kind leads to replied; from submitted the acceptance is recorded first."""
    command = Command(A.REPLY, reply_kind=kind, text="回复内容")
    check(Expect(S.REPLIED, records_accept=from_status is S.SUBMITTED), base_state(from_status), command,
          CAP[cap_id].actor)


@pytest.mark.parametrize(
    ("command", "field"),
    [
        pytest.param(Command(A.REPLY, text="回复内容"), "reply_kind", id="without_kind"),
        pytest.param(Command(A.REPLY, reply_kind=ReplyKind.ANSWER, text=" "), "text", id="without_text"),
    ],
)
def test_reply_requires_kind_and_text(command: Command, field: str) -> None:
    """A reply needs its kind and its text."""
    check(Expect(error=ValidationFailed, field=field), base_state(S.SUBMITTED), command, CAP["officer"].actor)


@pytest.mark.parametrize(
    ("command", "field"),
    [
        pytest.param(Command(A.FORWARD, text="转交原因"), "office_id", id="without_office"),
        pytest.param(Command(A.FORWARD, text="  ", office_id=FORWARD_TO), "reason", id="without_reason"),
    ],
)
@pytest.mark.parametrize("from_status", [S.SUBMITTED, S.ACCEPTED], ids=lambda s: s.value)
def test_forward_requires_office_and_reason(command: Command, field: str, from_status: Status) -> None:
    """A forward names the office it goes to and gives a reason; the status stays."""
    check(Expect(error=ValidationFailed, field=field), base_state(from_status), command, CAP["officer"].actor)
    check(Expect(from_status), base_state(from_status), Command(A.FORWARD, text="不属本科", office_id=FORWARD_TO),
          CAP["supervisor"].actor)


@pytest.mark.parametrize("cap_id", ["staff_creator", "admin_creator", "admin_other"])
def test_needs_modification_allows_edit_and_submit_not_evaluate(cap_id: str) -> None:
    """replied(needs_modification): edit stays replied, submit keeps the round, evaluate is refused."""
    state = base_state(S.REPLIED, ReplyKind.NEEDS_MODIFICATION, review_required=False)
    actor = CAP[cap_id].actor
    check(Expect(S.REPLIED), state, Command(A.EDIT, text="改"), actor)
    check(Expect(S.SUBMITTED, new_round=False), state, Command(A.SUBMIT), actor)
    check(Expect(error=IllegalTransition), state, Command(A.EVALUATE, evaluation=Evaluation.SOLVED), actor)


@pytest.mark.parametrize("cap_id", [c.id for c in CAPACITIES if c.enterprise])
def test_customs_return_offers_the_enterprise_nothing(cap_id: str) -> None:
    """replied(return): no action succeeds for any enterprise capacity, and no button is shown."""
    state = base_state(S.REPLIED, ReplyKind.RETURN)
    actor = CAP[cap_id].actor
    assert allowed_actions(state, actor, DEFAULT_POLICY, MATRIX_NOW) == []
    for action in ACTIONS:
        for command in candidate_commands(action):
            assert not succeeds(state, command, actor, DEFAULT_POLICY, MATRIX_NOW), (action, command)


EVALUATION_CASES = [
    pytest.param(from_status, evaluation, note, appended, policy_name,
                 id=f"{from_status.value}-eval{evaluation.value}-{'note' if note else 'no_note'}-"
                    f"{'appended' if appended else 'no_append'}-{policy_name}")
    for from_status in (S.REPLIED, S.AWAITING_APPEND)
    for evaluation in Evaluation
    for note in (True, False)
    for appended in (True, False)
    for policy_name in ("default", "strict", "lenient")
]
POLICIES = {"default": DEFAULT_POLICY, "strict": STRICT_POLICY, "lenient": LENIENT_POLICY}


@pytest.mark.parametrize(("from_status", "evaluation", "note", "appended", "policy_name"), EVALUATION_CASES)
def test_evaluation(from_status: Status, evaluation: Evaluation, note: bool, appended: bool,
                    policy_name: str) -> None:
    """1 → closed (no append); 2 + note → closed; 3/4 + appended → submitted (new round), else awaiting."""
    command = Command(A.EVALUATE, evaluation=evaluation, text=NOTE if note else "",
                      appended_text=APPENDED if appended else "")
    expect = expected_evaluation(evaluation, note, appended, policy_name)
    check(expect, base_state(from_status), command, CAP["staff_creator"].actor, POLICIES[policy_name], WITHIN)


def test_evaluation_kind_is_required() -> None:
    """An evaluation without its kind is refused."""
    check(Expect(error=ValidationFailed), base_state(S.REPLIED), Command(A.EVALUATE, text=NOTE),
          CAP["staff_creator"].actor)


def test_evaluating_an_old_answer_is_still_allowed() -> None:
    """The spec puts no period on evaluating a reply (only on append / the timer): late, not yet closed."""
    check(Expect(S.CLOSED, closed_by=ClosedBy.EVALUATION), base_state(S.REPLIED),
          Command(A.EVALUATE, evaluation=Evaluation.SOLVED), CAP["staff_creator"].actor, now=AFTER)


# The specification limits "append" to the append period; it does not say so for re-evaluating in
# awaiting_append. We read it as "re-evaluate and append within the period, refused after it": an appended
# question sent with a re-evaluation is an append, so the oracle limits both to the period.
REEVALUATE_LIMITED_TO_APPEND_PERIOD = True


@pytest.mark.parametrize("when", ["within", "after"])
@pytest.mark.parametrize(
    "command",
    [
        pytest.param(Command(A.APPEND, appended_text=APPENDED), id="append"),
        pytest.param(Command(A.EVALUATE, evaluation=Evaluation.PARTLY_SOLVED, appended_text=APPENDED),
                     id="reevaluate4-appended"),
        pytest.param(Command(A.EVALUATE, evaluation=Evaluation.NOT_SOLVED, text=NOTE), id="reevaluate3-note"),
        pytest.param(Command(A.EVALUATE, evaluation=Evaluation.SOLVED), id="reevaluate1"),
    ],
)
def test_awaiting_append_within_period(command: Command, when: str) -> None:
    """awaiting_append: append / re-evaluate within the period; refused after it."""
    state = base_state(S.AWAITING_APPEND)
    now = WITHIN if when == "within" else AFTER
    limited = command.action is A.APPEND or REEVALUATE_LIMITED_TO_APPEND_PERIOD
    if when == "after" and limited:
        expect = Expect(error=IllegalTransition)
    elif command.action is A.APPEND:
        expect = Expect(S.SUBMITTED, new_round=True)
    else:
        assert command.evaluation is not None
        expect = expected_evaluation(command.evaluation, bool(command.text), bool(command.appended_text),
                                     "default")
    check(expect, state, command, CAP["staff_creator"].actor, now=now)


def test_append_requires_text() -> None:
    """An append without the appended question is refused."""
    check(Expect(error=ValidationFailed, field="appended_text"), base_state(S.AWAITING_APPEND),
          Command(A.APPEND, appended_text=" "), CAP["staff_creator"].actor, now=WITHIN)


AUTO_CLOSE_CASES = [
    pytest.param(S.REPLIED, ReplyKind.ANSWER, ClosedBy.DEEMED_ACCEPTED, id="replied_answer"),
    pytest.param(S.REPLIED, ReplyKind.RETURN, ClosedBy.CUSTOMS_RETURN, id="replied_return"),
    pytest.param(S.REPLIED, ReplyKind.NEEDS_MODIFICATION, ClosedBy.MODIFICATION_EXPIRED,
                 id="replied_needs_modification"),
    pytest.param(S.AWAITING_APPEND, ReplyKind.ANSWER, ClosedBy.APPEND_EXPIRED, id="awaiting_append"),
]


@pytest.mark.parametrize("when", ["within", "after"])
@pytest.mark.parametrize(("status", "kind", "closed_by"), AUTO_CLOSE_CASES)
def test_auto_close_only_after_period(status: Status, kind: ReplyKind, closed_by: ClosedBy,
                                      when: str) -> None:
    """The timer closes a reply / an evaluation older than the period, recording why."""
    now = WITHIN if when == "within" else AFTER
    expect = Expect(S.CLOSED, closed_by=closed_by) if when == "after" else Expect(error=IllegalTransition)
    check(expect, base_state(status, kind), Command(A.AUTO_CLOSE), CAP["system"].actor, now=now)


@pytest.mark.parametrize(
    ("status", "replied_at", "evaluated_at", "closes"),
    [
        pytest.param(S.REPLIED, T0, None, True, id="replied-counts_from_reply"),
        pytest.param(S.AWAITING_APPEND, T0 - timedelta(days=30), AFTER - timedelta(days=1), False,
                     id="awaiting_append-counts_from_evaluation-recent"),
        pytest.param(S.AWAITING_APPEND, AFTER - timedelta(days=1), T0, True,
                     id="awaiting_append-counts_from_evaluation-old"),
    ],
)
def test_auto_close_measures_the_right_date(status: Status, replied_at: datetime,
                                             evaluated_at: datetime | None, closes: bool) -> None:
    """replied: the reply's age; awaiting_append: the evaluation's age."""
    state = base_state(status, replied_at=replied_at, evaluated_at=evaluated_at)
    expect = Expect(S.CLOSED, closed_by=SPEC_AUTO_CLOSE_REASON[(status, ReplyKind.ANSWER)]) if closes \
        else Expect(error=IllegalTransition)
    check(expect, state, Command(A.AUTO_CLOSE), CAP["system"].actor, now=AFTER)


@pytest.mark.parametrize("days", [3, 7, 14])
def test_period_follows_policy(days: int) -> None:
    """The period is config (lifecycle.auto_close_days), for the timer and the append period alike."""
    policy = Policy(auto_close_days=days)
    before, after = T0 + timedelta(days=days, seconds=-1), T0 + timedelta(days=days, seconds=1)
    system = CAP["system"].actor
    check(Expect(error=IllegalTransition), base_state(S.REPLIED), Command(A.AUTO_CLOSE), system, policy,
          before)
    check(Expect(S.CLOSED, closed_by=ClosedBy.DEEMED_ACCEPTED), base_state(S.REPLIED), Command(A.AUTO_CLOSE),
          system, policy, after)
    append = Command(A.APPEND, appended_text=APPENDED)
    staff = CAP["staff_creator"].actor
    check(Expect(S.SUBMITTED, new_round=True), base_state(S.AWAITING_APPEND), append, staff, policy, before)
    check(Expect(error=IllegalTransition), base_state(S.AWAITING_APPEND), append, staff, policy, after)


PUBLICATION_CASES = [
    pytest.param(status, action, allow, published,
                 id=f"{status.value}-{action.value}-allow_{allow}-pub_{published}")
    for status in (S.REPLIED, S.AWAITING_APPEND, S.CLOSED)
    for action in (A.PUBLISH, A.UNPUBLISH)
    for allow in (True, False)
    for published in (True, False)
]


@pytest.mark.parametrize(("status", "action", "allow", "published"), PUBLICATION_CASES)
def test_publication(status: Status, action: Action, allow: bool, published: bool) -> None:
    """publish / unpublish: supervisor, only if the enterprise allowed it; unpublish only if published."""
    state = base_state(status, allow_publication=allow, published=published)
    ok = allow and (published or action is A.PUBLISH)
    expect = Expect(status) if ok else Expect(error=IllegalTransition)
    check(expect, state, Command(action), CAP["supervisor"].actor)
    check(Expect(error=Forbidden), state, Command(action), CAP["officer"].actor)


INACTIVE_CASES = [
    pytest.param(None, None, A.CREATE, "staff_creator", id="create"),
    pytest.param(S.DRAFT, None, A.SUBMIT, "staff_creator", id="draft-submit"),
    pytest.param(S.DRAFT, None, A.SUBMIT, "exec_creator", id="draft-submit-by_executive"),
    pytest.param(S.RETURNED_BY_EXEC, None, A.SUBMIT, "staff_creator", id="returned_by_exec-submit"),
    pytest.param(S.WITHDRAWN, None, A.SUBMIT, "admin_other", id="withdrawn-submit"),
    pytest.param(S.REPLIED, ReplyKind.NEEDS_MODIFICATION, A.SUBMIT, "staff_creator", id="replied-submit"),
]


@pytest.mark.parametrize(("status", "kind", "action", "cap_id"), INACTIVE_CASES)
def test_inactive_enterprise_cannot_create_or_submit(status: Status | None, kind: ReplyKind | None,
                                                     action: Action, cap_id: str) -> None:
    """An enterprise whose registration is not approved can neither create nor submit."""
    state = base_state(status, kind, enterprise_active=False)
    check(Expect(error=IllegalTransition), state, well_formed(action), CAP[cap_id].actor)


def test_refusal_message_names_the_status() -> None:
    """The spec's own example of a refusal for a pair outside the table."""
    assert refusal(S.ACCEPTED, A.WITHDRAW) == "问题已受理，不能撤回"
    check(Expect(error=IllegalTransition, message="问题已受理，不能撤回"), base_state(S.ACCEPTED),
          Command(A.WITHDRAW), CAP["staff_creator"].actor)


# ---- 3. allowed_actions agrees with decide -----------------------------------------------------------------


def candidate_commands(action: Action) -> list[Command]:
    """Well-formed commands for ``action``, in every variant a form could send."""
    if action is A.SUBMIT:
        return [Command(A.SUBMIT), *(Command(A.SUBMIT, executive_id=e) for e in (CHOSEN_EXEC, OTHER_EXEC))]
    if action is A.REPLY:
        return [Command(A.REPLY, reply_kind=kind, text="回复内容") for kind in ReplyKind]
    if action is A.EXEC_APPROVE:
        return [Command(A.EXEC_APPROVE, importance=i) for i in Importance]
    if action is A.EVALUATE:
        return [Command(A.EVALUATE, evaluation=e, text=note, appended_text=appended)
                for e in Evaluation for note in (NOTE, "") for appended in (APPENDED, "")]
    return [well_formed(action)]


STATE_VARIANTS: dict[str, QuestionState] = {
    f"{s.value if s else 'none'}{'(' + k.value + ')' if k else ''}": base_state(s, k)
    for s, k in [(s, None) for s in STATUSES if s is not S.REPLIED]
    + [(S.REPLIED, k) for k in ReplyKind]
}
MODIFIERS: dict[str, dict[str, object]] = {
    "base": {},
    "round2": {"round": 2},
    "inactive": {"enterprise_active": False},
    "no_review": {"review_required": False},
    "single_exec": {"executive_ids": (CHOSEN_EXEC,)},
    "no_publication": {"allow_publication": False},
    "unpublished": {"published": False},
    # Excluded on purpose: review required with no executive at all (executive_ids=()). Submit is still shown
    # there, so that pressing it gives the reason (add an executive first) that decide refuses it with
    # (test_executive_choice_on_submit), rather than a button silently missing.
}
AGREEMENT_CASES = [
    pytest.param(replace(state, **changes), cap, now, id=f"{name}-{mod}-{when}-{cap.id}")
    for (name, state), (mod, changes) in itertools.product(STATE_VARIANTS.items(), MODIFIERS.items())
    for when, now in (("within", WITHIN), ("after", AFTER))
    if mod == "base" or when == "within"
    for cap in CAPACITIES
]


@pytest.mark.parametrize(("state", "cap", "now"), AGREEMENT_CASES)
def test_allowed_actions_agree_with_decide(state: QuestionState, cap: Capacity, now: datetime) -> None:
    """A button is shown exactly when some well-formed command for it is accepted; never for auto_close."""
    shown = allowed_actions(state, cap.actor, DEFAULT_POLICY, now)
    assert A.AUTO_CLOSE not in shown
    assert len(shown) == len(set(shown))
    accepted = {a for a in ACTIONS if a is not A.AUTO_CLOSE
                and any(succeeds(state, c, cap.actor, DEFAULT_POLICY, now) for c in candidate_commands(a))}
    assert set(shown) == accepted


@pytest.mark.parametrize(("state", "action", "cap"), [p for p in MATRIX + REPLY_KIND_MATRIX
                                                       if p.values[1] is A.CREATE])
def test_allowed_actions_create(state: QuestionState, action: Action, cap: Capacity) -> None:
    """Create is offered to enterprise roles only, and only before there is a question."""
    shown = A.CREATE in allowed_actions(state, cap.actor, DEFAULT_POLICY, MATRIX_NOW)
    assert shown is (state.status is None and cap.enterprise)


@pytest.mark.parametrize("state", [base_state(s) for s in STATUSES] + OTHER_REPLY_KINDS,
                         ids=lambda s: f"{s.status.value if s.status else 'none'}-{s.reply_kind}")
@pytest.mark.parametrize("cap", CAPACITIES, ids=lambda c: c.id)
def test_allowed_actions_match_the_spec(state: QuestionState, cap: Capacity) -> None:
    """In the matrix states, the buttons are exactly the spec's successful actions (bar the scheduler's)."""
    shown = set(allowed_actions(state, cap.actor, DEFAULT_POLICY, MATRIX_NOW))
    expected = {a for a in ACTIONS if a is not A.AUTO_CLOSE and expected_matrix(state, a, cap).error is None}
    assert shown == expected


# ---- 4. the diagram ----------------------------------------------------------------------------------------


def spec_edges() -> set[str]:
    """Every status-changing edge of the specification, as mermaid() writes it."""
    possible: dict[tuple[Status | None, Action], set[Status]] = {}
    for (status, action), row in SPEC_ROWS.items():
        if row.to == "unchanged":
            targets: set[Status] = set()
        elif row.to == "evaluation":
            targets = {S.CLOSED, S.SUBMITTED, S.AWAITING_APPEND}
        elif row.to is to_review_or_submitted:
            targets = {S.PENDING_EXEC_REVIEW, S.SUBMITTED}
        else:
            assert isinstance(row.to, Status)
            targets = {row.to}
        possible[(status, action)] = {t for t in targets if t is not status}
    return {f"{'[*]' if s is None else s.value} --> {t.value}: {a.value}"
            for (s, a), targets in possible.items() for t in targets}


def test_mermaid_has_every_status_change() -> None:
    """mermaid() draws an edge for every (status, action) that changes status, and no other edge."""
    text = mermaid()
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    drawn = {line.strip() for line in lines[1:]}
    expected = spec_edges()
    assert len(expected) == 25
    assert expected - drawn == set(), "edges missing from mermaid()"
    assert drawn - expected == set(), "edges in mermaid() that the spec does not have"


DEADLINE = T0 + timedelta(days=DAYS)  # exactly the period after the reply / the evaluation


@pytest.mark.parametrize(("status", "kind", "closed_by"), AUTO_CLOSE_CASES)
def test_at_the_deadline_itself_nothing_closes(status: Status, kind: ReplyKind, closed_by: ClosedBy) -> None:
    """The specification: "older than the period": at the very instant the period ends it is not yet older."""
    check(Expect(error=IllegalTransition), base_state(status, kind), Command(A.AUTO_CLOSE), CAP["system"].actor,
          now=DEADLINE)


def test_at_the_deadline_itself_an_append_is_still_accepted() -> None:
    """The append period and the timer end at the same instant: one or the other, never both or neither."""
    command = Command(A.APPEND, appended_text="追加：具体需要哪些材料？")
    check(Expect(S.SUBMITTED, new_round=True), base_state(S.AWAITING_APPEND), command, CAP["staff_creator"].actor,
          now=DEADLINE)
    check(Expect(error=IllegalTransition), base_state(S.AWAITING_APPEND), command, CAP["staff_creator"].actor,
          now=DEADLINE + timedelta(seconds=1))


def test_auto_close_decisions_are_the_spec_reasons() -> None:
    """What the set-based sweep is generated from: every pair the spec names closes with its reason."""
    decisions = auto_close_decisions(DEFAULT_POLICY)
    for (status, kind), reason in SPEC_AUTO_CLOSE_REASON.items():
        _, outcome = decisions[status, kind]
        assert (outcome.status, outcome.closed_by) == (S.CLOSED, reason)
    assert {status for status, _ in decisions} == {S.REPLIED, S.AWAITING_APPEND}


@pytest.mark.parametrize("policy_name", ["default", "strict"])
def test_note_hints_say_the_configured_note_rule(policy_name: str) -> None:
    """The evaluation form's hint under each kind says what the policy requires and where the kind leads."""
    policy = DEFAULT_POLICY if policy_name == "default" else STRICT_POLICY
    hints = {kind: note_hint(kind, policy) for kind in Evaluation}
    assert hints[Evaluation.SOLVED] == "补充说明可不填；不能追加问题，问题将办结"
    assert hints[Evaluation.AGREED] == "须填写补充说明；不能追加问题，问题将办结"
    leads = f"；追加问题后重新提交海关，不追加则为“待追加”，{DAYS} 天内可追加"
    expected3 = "须填写补充说明" if policy_name == "strict" else "须填写补充说明或追加问题"
    assert hints[Evaluation.NOT_SOLVED] == hints[Evaluation.PARTLY_SOLVED] == expected3 + leads
