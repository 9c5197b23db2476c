"""The question lifecycle as one pure transition table, and ``decide``.

The table is the lifecycle of the customs question-clearing (问题清零) systems, merged from the user manuals of
the Liaoning and Nanjing systems; tests/unit/test_lifecycle_table.py transcribes it independently and checks
every status × action × role against this one.

No I/O, no clock, no async: callers pass the question's state, the command, the actor and ``now``.
Every path that changes a question (H5, API, bot, admin web) goes through ``decide``; the scheduler's
set-based close is generated from ``auto_close_decisions`` (``decide`` itself) and a test checks that both
agree at the deadline. A refusal raises a ``DomainError`` whose message is the Chinese text shown to the user
(a guard returns it, ``decide`` raises it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from models.errors import DomainError, Forbidden, IllegalTransition, ValidationFailed


class Status(StrEnum):
    DRAFT = "draft"  # saved, not sent anywhere
    PENDING_EXEC_REVIEW = "pending_exec_review"  # waits for the chosen executive
    RETURNED_BY_EXEC = "returned_by_exec"  # the executive sent it back to the asker
    SUBMITTED = "submitted"  # with customs, not yet accepted
    WITHDRAWN = "withdrawn"  # taken back by the enterprise before acceptance
    ACCEPTED = "accepted"  # customs accepted it and works on it
    REPLIED = "replied"  # customs replied; see ReplyKind
    AWAITING_APPEND = "awaiting_append"  # evaluated 3/4 without an appended question
    CLOSED = "closed"  # final; see ClosedBy
    DELETED = "deleted"  # soft-deleted by the enterprise, kept for audit

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.DRAFT: "草稿",
    Status.PENDING_EXEC_REVIEW: "待高管审核",
    Status.RETURNED_BY_EXEC: "高管退回",
    Status.SUBMITTED: "已提交",
    Status.WITHDRAWN: "已撤回",
    Status.ACCEPTED: "已受理",
    Status.REPLIED: "已回复",
    Status.AWAITING_APPEND: "待追加",
    Status.CLOSED: "已办结",
    Status.DELETED: "已删除",
}
# How a status reads in a refusal: "问题{phrase}，不能{action}".
_STATUS_PHRASE = {
    None: "尚不存在",
    Status.DRAFT: "还是草稿",
    Status.PENDING_EXEC_REVIEW: "正在等待高管审核",
    Status.RETURNED_BY_EXEC: "已被高管退回",
    Status.SUBMITTED: "已提交",
    Status.WITHDRAWN: "已撤回",
    Status.ACCEPTED: "已受理",
    Status.REPLIED: "已回复",
    Status.AWAITING_APPEND: "待追加",
    Status.CLOSED: "已办结",
    Status.DELETED: "已删除",
}


class Action(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    DELETE = "delete"
    EXEC_EDIT = "exec_edit"
    EXEC_RETURN = "exec_return"
    EXEC_APPROVE = "exec_approve"
    WITHDRAW = "withdraw"
    ACCEPT = "accept"
    REPLY = "reply"
    EVALUATE = "evaluate"
    APPEND = "append"
    AUTO_CLOSE = "auto_close"
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"
    FORWARD = "forward"  # customs hands the question to another office / department of the accepting office

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.CREATE: "新建问题",
    Action.EDIT: "修改",
    Action.SUBMIT: "提交",
    Action.DELETE: "删除",
    Action.EXEC_EDIT: "审核修改",
    Action.EXEC_RETURN: "退回",
    Action.EXEC_APPROVE: "提交海关",
    Action.WITHDRAW: "撤回",
    Action.ACCEPT: "受理",
    Action.REPLY: "回复",
    Action.EVALUATE: "评价",
    Action.APPEND: "追加问题",
    Action.AUTO_CLOSE: "自动办结",
    Action.PUBLISH: "公开",
    Action.UNPUBLISH: "取消公开",
    Action.FORWARD: "转交",
}


class Role(StrEnum):
    STAFF = "staff"  # 关务人员
    ADMIN = "admin"  # 企业管理员
    EXECUTIVE = "executive"  # 企业高管
    OFFICER = "officer"  # 海关关员
    SUPERVISOR = "supervisor"  # 海关科长 / 主管
    CUSTOMS_ADMIN = "customs_admin"  # 海关系统管理员: settings only, no question actions
    SYSTEM = "system"  # the scheduler


ENTERPRISE_ROLES = frozenset({Role.STAFF, Role.ADMIN, Role.EXECUTIVE})


class ReplyKind(StrEnum):
    ANSWER = "answer"  # 答复: the enterprise evaluates it
    RETURN = "return"  # 退回: nothing for the enterprise to do; closes by the timer
    NEEDS_MODIFICATION = "needs_modification"  # 需修改: the enterprise edits and resubmits

    @property
    def label(self) -> str:
        return {"answer": "答复", "return": "退回", "needs_modification": "需修改"}[self.value]


class Evaluation(StrEnum):
    SOLVED = "1"  # 完全解决问题
    AGREED = "2"  # 同意答复意见
    NOT_SOLVED = "3"  # 没有解决问题
    PARTLY_SOLVED = "4"  # 解决部分问题

    @property
    def label(self) -> str:
        return {"1": "完全解决问题", "2": "同意答复意见", "3": "没有解决问题", "4": "解决部分问题"}[self.value]


class Importance(StrEnum):
    NORMAL = "normal"
    IMPORTANT = "important"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        return {"normal": "一般", "important": "重要", "urgent": "紧急"}[self.value]


class ClosedBy(StrEnum):
    EVALUATION = "evaluation"  # evaluated 1 or 2
    DEEMED_ACCEPTED = "deemed_accepted"  # an answer not evaluated in time: counted apart, never "satisfied"
    APPEND_EXPIRED = "append_expired"  # awaiting_append and not appended in time
    CUSTOMS_RETURN = "customs_return"  # customs returned the question; closed by the timer
    MODIFICATION_EXPIRED = "modification_expired"  # asked to modify, not resubmitted in time


class Who(StrEnum):
    """Capacities named in the table's actor column."""

    CREATOR = "creator"
    ADMIN = "admin"
    EXECUTIVE = "executive"
    CHOSEN_EXECUTIVE = "chosen_executive"
    MEMBER = "member"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    SYSTEM = "system"


_WHO_LABELS = {
    Who.CREATOR: "提问人",
    Who.ADMIN: "企业管理员",
    Who.EXECUTIVE: "企业高管",
    Who.CHOSEN_EXECUTIVE: "指定的审核高管",
    Who.MEMBER: "企业用户",
    Who.OFFICER: "海关关员",
    Who.SUPERVISOR: "海关主管",
    Who.SYSTEM: "系统",
}


@dataclass(frozen=True)
class Policy:
    """Lifecycle policy from config.yaml (``lifecycle`` section)."""

    auto_close_days: int = 7
    note_required: Mapping[Evaluation, str] = field(
        default_factory=lambda: {
            Evaluation.SOLVED: "never",
            Evaluation.AGREED: "always",
            Evaluation.NOT_SOLVED: "unless_appended",
            Evaluation.PARTLY_SOLVED: "unless_appended",
        }
    )

    @property
    def period(self) -> timedelta:
        return timedelta(days=self.auto_close_days)

    def close_cutoff(self, now: datetime) -> datetime:
        """A question whose period started strictly before this instant is due to close at ``now``."""
        return now - self.period


# The instant each automatically closing status is counted from: a ``QuestionState`` field, and the
# question's column of the same name (the set-based sweep is generated from this mapping).
AUTO_CLOSE_SINCE: Mapping[Status, str] = {Status.REPLIED: "replied_at", Status.AWAITING_APPEND: "evaluated_at"}


@dataclass(frozen=True, slots=True)  # slots: built once per item of every list page, a third faster
class QuestionState:
    """What ``decide`` needs to know about a question (``status`` None: it does not exist yet)."""

    status: Status | None
    creator_id: int | None = None
    round: int = 1
    reply_kind: ReplyKind | None = None
    assigned_executive_id: int | None = None
    executive_ids: tuple[int, ...] = ()  # the enterprise's executives, for choosing a reviewer
    review_required: bool = False  # the enterprise setting exec_review_required
    enterprise_active: bool = True  # registration approved by customs
    allow_publication: bool = False
    published: bool = False
    replied_at: datetime | None = None
    evaluated_at: datetime | None = None


@dataclass(frozen=True)
class Actor:
    role: Role
    person_id: int | None = None


@dataclass(frozen=True)
class Command:
    action: Action
    text: str = ""  # reason, reply text, note or appended question, by action
    executive_id: int | None = None
    importance: Importance | None = None
    reply_kind: ReplyKind | None = None
    evaluation: Evaluation | None = None
    appended_text: str = ""
    office_id: int | None = None  # forward: the office / department it goes to (its validity: the service)


@dataclass(frozen=True)
class Outcome:
    status: Status
    assigned_executive_id: int | None = None
    closed_by: ClosedBy | None = None
    new_round: bool = False
    records_accept: bool = False


Refusal = DomainError | None  # a guard's answer: the reason it refuses, or None
Guard = Callable[[QuestionState, Command, Actor, Policy, datetime], Refusal]
Target = Status | Callable[[QuestionState, Command, Actor, Policy], Outcome]


@dataclass(frozen=True)
class Rule:
    who: frozenset[Who]
    target: Target
    guards: tuple[Guard, ...] = ()


# ---- guards: each returns the refusal (the user's reason) or None ----------------------------------------


def _enterprise_active(state: QuestionState, cmd: Command, actor: Actor, policy: Policy, now: datetime) -> Refusal:
    if not state.enterprise_active:
        return IllegalTransition("企业注册尚未通过海关审核，暂不能提问")
    return None


def _first_round(state: QuestionState, cmd: Command, actor: Actor, policy: Policy, now: datetime) -> Refusal:
    if state.round > 1:
        return IllegalTransition("追加的问题不可撤回")
    return None


def _needs_modification(state: QuestionState, cmd: Command, actor: Actor, policy: Policy, now: datetime) -> Refusal:
    if state.reply_kind is not ReplyKind.NEEDS_MODIFICATION:
        return IllegalTransition("问题已回复，只有海关要求修改的问题可以修改后重新提交")
    return None


def _answered(state: QuestionState, cmd: Command, actor: Actor, policy: Policy, now: datetime) -> Refusal:
    if state.status is Status.REPLIED and state.reply_kind is not ReplyKind.ANSWER:
        if state.reply_kind is ReplyKind.RETURN:
            return IllegalTransition("海关已退回该问题，无需评价")
        return IllegalTransition("海关要求修改问题，请修改后重新提交，不能评价")
    return None


# Refusals the edges' form checks give too, for the same missing input.
MSG_CHOOSE_FORWARD_OFFICE = "请选择转交的部门"
MSG_CHOOSE_IMPORTANCE = "请选择问题重要性：一般、重要或紧急"
MSG_CHOOSE_REPLY_KIND = "请选择回复类型：答复、退回或需修改"
MSG_REPLY_TEXT = "请填写回复内容"


def _reason_given(state: QuestionState, cmd: Command, actor: Actor, policy: Policy, now: datetime) -> Refusal:
    if not cmd.text.strip():
        return ValidationFailed("请填写退回原因", field="reason")
    return None


def _forward_given(state: QuestionState, cmd: Command, actor: Actor, policy: Policy, now: datetime) -> Refusal:
    if cmd.office_id is None:
        return ValidationFailed(MSG_CHOOSE_FORWARD_OFFICE, field="office_id")
    if not cmd.text.strip():
        return ValidationFailed("请填写转交原因", field="reason")
    return None


def _importance_given(state: QuestionState, cmd: Command, actor: Actor, policy: Policy, now: datetime) -> Refusal:
    if cmd.importance is None:
        return ValidationFailed(MSG_CHOOSE_IMPORTANCE, field="importance")
    return None


def _reply_given(state: QuestionState, cmd: Command, actor: Actor, policy: Policy, now: datetime) -> Refusal:
    if cmd.reply_kind is None:
        return ValidationFailed(MSG_CHOOSE_REPLY_KIND, field="reply_kind")
    if not cmd.text.strip():
        return ValidationFailed(MSG_REPLY_TEXT, field="text")
    return None


def _append_given(state: QuestionState, cmd: Command, actor: Actor, policy: Policy, now: datetime) -> Refusal:
    if not cmd.appended_text.strip():
        return ValidationFailed("请填写追加问题描述", field="appended_text")
    return None


def auto_close_due(state: QuestionState, policy: Policy, now: datetime) -> bool:
    """The reply (or the evaluation) is *older than* the period: at the deadline itself it is not yet due."""
    column = AUTO_CLOSE_SINCE.get(state.status) if state.status is not None else None
    since: datetime | None = getattr(state, column) if column is not None else None
    return since is not None and since < policy.close_cutoff(now)


def _within_append_period(state: QuestionState, cmd: Command, actor: Actor, policy: Policy, now: datetime) -> Refusal:
    if auto_close_due(state, policy, now):
        return IllegalTransition(f"已超过追加期限（评价后 {policy.auto_close_days} 天内可追加）")
    return None


def _publication_allowed(state: QuestionState, cmd: Command, actor: Actor, policy: Policy, now: datetime) -> Refusal:
    if not state.allow_publication:
        return IllegalTransition("企业未允许公开该问题")
    return None


def _is_published(state: QuestionState, cmd: Command, actor: Actor, policy: Policy, now: datetime) -> Refusal:
    if not state.published:
        return IllegalTransition("问题尚未公开")
    return None


def _period_over(state: QuestionState, cmd: Command, actor: Actor, policy: Policy, now: datetime) -> Refusal:
    if not auto_close_due(state, policy, now):
        return IllegalTransition(f"问题{_STATUS_PHRASE[state.status]}，尚未到自动办结时间")
    return None


# ---- computed targets --------------------------------------------------------------------------------------


def review_required(state: QuestionState, actor: Actor) -> bool:
    """The enterprise requires executive review AND the actor is not an executive."""
    return state.review_required and actor.role is not Role.EXECUTIVE


def _submit(state: QuestionState, cmd: Command, actor: Actor, policy: Policy) -> Outcome:
    if not review_required(state, actor):
        return Outcome(Status.SUBMITTED)
    return Outcome(Status.PENDING_EXEC_REVIEW, assigned_executive_id=_choose_executive(state, cmd))


def _resubmit_to_executive(state: QuestionState, cmd: Command, actor: Actor, policy: Policy) -> Outcome:
    return Outcome(Status.PENDING_EXEC_REVIEW, assigned_executive_id=_choose_executive(state, cmd))


# What to do is part of the reason: only an enterprise admin can add an executive (H5 企业人员, /h5/people).
NO_EXECUTIVE = ("本企业的问题须经企业高管审核后提交海关，但企业尚未设置企业高管："
                "请企业管理员在“企业人员”中添加企业高管后再提问")


def _choose_executive(state: QuestionState, cmd: Command) -> int:
    if not state.executive_ids:
        raise IllegalTransition(NO_EXECUTIVE)
    if cmd.executive_id is not None:
        if cmd.executive_id not in state.executive_ids:
            raise ValidationFailed("所选审核高管不是本企业的企业高管", field="executive_id")
        return cmd.executive_id
    if state.assigned_executive_id in state.executive_ids:
        return state.assigned_executive_id
    if len(state.executive_ids) == 1:
        return state.executive_ids[0]
    raise ValidationFailed("企业有多位高管，请选择审核高管", field="executive_id")


# The evaluation note rule (``Policy.note_required``) in words: the refusal's tail and the form's hint.
NOTE_RULE_WORDS: Mapping[str, str] = {
    "always": "须填写补充说明", "unless_appended": "须填写补充说明或追加问题", "never": "补充说明可不填",
}
CLOSING_EVALUATIONS = frozenset({Evaluation.SOLVED, Evaluation.AGREED})  # close the question; no append


def note_missing(kind: Evaluation, note: str, appended: bool, policy: Policy) -> bool:
    rule = policy.note_required[kind]
    return not note.strip() and (rule == "always" or (rule == "unless_appended" and not appended))


def note_hint(kind: Evaluation, policy: Policy) -> str:
    """What the evaluation form says under ``kind``: its note rule and where it leads."""
    if kind in CLOSING_EVALUATIONS:
        leads = "；不能追加问题，问题将办结"
    else:
        leads = (f"；追加问题后重新提交海关，不追加则为“{Status.AWAITING_APPEND.label}”，"
                 f"{policy.auto_close_days} 天内可追加")
    return NOTE_RULE_WORDS.get(policy.note_required[kind], "") + leads


def _evaluate(state: QuestionState, cmd: Command, actor: Actor, policy: Policy) -> Outcome:
    kind = cmd.evaluation
    if kind is None:
        raise ValidationFailed("请选择评价", field="evaluation")
    appended = bool(cmd.appended_text.strip())
    if kind in CLOSING_EVALUATIONS and appended:
        raise ValidationFailed(f"评价为“{kind.label}”时不能追加问题", field="appended_text")
    if note_missing(kind, cmd.text, appended, policy):
        raise ValidationFailed(f"评价为“{kind.label}”时{NOTE_RULE_WORDS[policy.note_required[kind]]}", field="note")
    if kind in CLOSING_EVALUATIONS:
        return Outcome(Status.CLOSED, closed_by=ClosedBy.EVALUATION)
    if appended:
        return Outcome(Status.SUBMITTED, new_round=True)
    return Outcome(Status.AWAITING_APPEND)


def _append(state: QuestionState, cmd: Command, actor: Actor, policy: Policy) -> Outcome:
    return Outcome(Status.SUBMITTED, new_round=True)


AUTO_CLOSE_REASONS: Mapping[tuple[Status, ReplyKind | None], ClosedBy] = {
    (Status.REPLIED, ReplyKind.ANSWER): ClosedBy.DEEMED_ACCEPTED,
    (Status.REPLIED, ReplyKind.RETURN): ClosedBy.CUSTOMS_RETURN,
    (Status.REPLIED, ReplyKind.NEEDS_MODIFICATION): ClosedBy.MODIFICATION_EXPIRED,
    (Status.AWAITING_APPEND, ReplyKind.ANSWER): ClosedBy.APPEND_EXPIRED,
}


def _auto_close(state: QuestionState, cmd: Command, actor: Actor, policy: Policy) -> Outcome:
    assert state.status is not None
    reason = AUTO_CLOSE_REASONS.get((state.status, state.reply_kind), ClosedBy.DEEMED_ACCEPTED)
    return Outcome(Status.CLOSED, closed_by=reason)


def auto_close_decisions(policy: Policy) -> dict[tuple[Status, ReplyKind | None], tuple[QuestionState, Outcome]]:
    """``decide``'s automatic close of a due question in each closing status and reply kind.

    The set-based sweep is generated from these (one SQL ``CASE`` branch per pair), so it closes exactly as
    ``decide`` would, one question at a time.
    """
    since = datetime(2000, 1, 1, tzinfo=UTC)  # any instant: only "due or not" matters, and these are due
    now = since + policy.period + timedelta(seconds=1)
    decisions: dict[tuple[Status, ReplyKind | None], tuple[QuestionState, Outcome]] = {}
    for status in AUTO_CLOSE_SINCE:
        for kind in (*ReplyKind, None):
            state = QuestionState(status=status, reply_kind=kind, replied_at=since, evaluated_at=since)
            decisions[status, kind] = state, decide(state, Command(Action.AUTO_CLOSE), Actor(Role.SYSTEM), policy, now)
    return decisions


def _reply(state: QuestionState, cmd: Command, actor: Actor, policy: Policy) -> Outcome:
    return Outcome(Status.REPLIED, records_accept=state.status is Status.SUBMITTED)


def _unchanged(state: QuestionState, cmd: Command, actor: Actor, policy: Policy) -> Outcome:
    assert state.status is not None
    return Outcome(state.status)


# ---- the table ---------------------------------------------------------------------------------------------

_ENTERPRISE = frozenset({Who.CREATOR, Who.ADMIN, Who.EXECUTIVE})
_CREATOR = frozenset({Who.CREATOR})
_CREATOR_ADMIN = frozenset({Who.CREATOR, Who.ADMIN})
_EXEC = frozenset({Who.CHOSEN_EXECUTIVE})
_CUSTOMS = frozenset({Who.OFFICER, Who.SUPERVISOR})

S = Status
A = Action
TABLE: Mapping[tuple[Status | None, Action], Rule] = {
    (None, A.CREATE): Rule(frozenset({Who.MEMBER}), S.DRAFT, (_enterprise_active,)),
    (S.DRAFT, A.SUBMIT): Rule(_CREATOR, _submit, (_enterprise_active,)),
    (S.DRAFT, A.EDIT): Rule(_CREATOR, S.DRAFT),
    (S.DRAFT, A.DELETE): Rule(_CREATOR_ADMIN, S.DELETED),
    (S.PENDING_EXEC_REVIEW, A.EXEC_EDIT): Rule(_EXEC, S.PENDING_EXEC_REVIEW),
    (S.PENDING_EXEC_REVIEW, A.EXEC_RETURN): Rule(_EXEC, S.RETURNED_BY_EXEC, (_reason_given,)),
    (S.PENDING_EXEC_REVIEW, A.EXEC_APPROVE): Rule(_EXEC, S.SUBMITTED, (_importance_given,)),
    (S.RETURNED_BY_EXEC, A.EDIT): Rule(_CREATOR, S.RETURNED_BY_EXEC),
    (S.RETURNED_BY_EXEC, A.SUBMIT): Rule(_CREATOR, _resubmit_to_executive, (_enterprise_active,)),
    (S.RETURNED_BY_EXEC, A.DELETE): Rule(_CREATOR_ADMIN, S.DELETED),
    (S.SUBMITTED, A.WITHDRAW): Rule(_ENTERPRISE, S.WITHDRAWN, (_first_round,)),
    (S.WITHDRAWN, A.EDIT): Rule(_CREATOR_ADMIN, S.WITHDRAWN),
    (S.WITHDRAWN, A.SUBMIT): Rule(_CREATOR_ADMIN, _submit, (_enterprise_active,)),
    (S.WITHDRAWN, A.DELETE): Rule(_CREATOR_ADMIN, S.DELETED),
    (S.SUBMITTED, A.ACCEPT): Rule(_CUSTOMS, S.ACCEPTED),
    (S.SUBMITTED, A.REPLY): Rule(_CUSTOMS, _reply, (_reply_given,)),
    (S.ACCEPTED, A.REPLY): Rule(_CUSTOMS, _reply, (_reply_given,)),
    (S.SUBMITTED, A.FORWARD): Rule(_CUSTOMS, _unchanged, (_forward_given,)),
    (S.ACCEPTED, A.FORWARD): Rule(_CUSTOMS, _unchanged, (_forward_given,)),
    (S.REPLIED, A.EDIT): Rule(_CREATOR_ADMIN, S.REPLIED, (_needs_modification,)),
    (S.REPLIED, A.SUBMIT): Rule(_CREATOR_ADMIN, _submit, (_needs_modification, _enterprise_active)),
    (S.REPLIED, A.EVALUATE): Rule(_ENTERPRISE, _evaluate, (_answered,)),
    (S.AWAITING_APPEND, A.EVALUATE): Rule(_ENTERPRISE, _evaluate, (_within_append_period,)),
    (S.AWAITING_APPEND, A.APPEND): Rule(_ENTERPRISE, _append, (_within_append_period, _append_given)),
    (S.REPLIED, A.AUTO_CLOSE): Rule(frozenset({Who.SYSTEM}), _auto_close, (_period_over,)),
    (S.AWAITING_APPEND, A.AUTO_CLOSE): Rule(frozenset({Who.SYSTEM}), _auto_close, (_period_over,)),
    **{
        (status, action): Rule(frozenset({Who.SUPERVISOR}), _unchanged, guards)
        for status in (S.REPLIED, S.AWAITING_APPEND, S.CLOSED)
        for action, guards in (
            (A.PUBLISH, (_publication_allowed,)),
            (A.UNPUBLISH, (_publication_allowed, _is_published)),
        )
    },
}


def qualifies(who: Who, actor: Actor, state: QuestionState) -> bool:
    """Whether ``actor`` acts in capacity ``who`` on this question (membership is checked by the caller)."""
    enterprise = actor.role in ENTERPRISE_ROLES
    if who is Who.CREATOR:
        return enterprise and actor.person_id is not None and actor.person_id == state.creator_id
    if who is Who.CHOSEN_EXECUTIVE:
        return actor.role is Role.EXECUTIVE and actor.person_id == state.assigned_executive_id
    if who is Who.MEMBER:
        return enterprise
    return _ROLE_NAMED.get(who) is actor.role


_ROLE_NAMED = {who: Role(who.value) for who in Who if who.value in {r.value for r in Role}}  # Who.ADMIN → Role.ADMIN …


def refusal(status: Status | None, action: Action) -> str:
    """The Chinese reason for an action the table does not allow in this status."""
    return f"问题{_STATUS_PHRASE[status]}，不能{action.label}"


def decide(state: QuestionState, command: Command, actor: Actor, policy: Policy, now: datetime) -> Outcome:
    """The outcome of ``command`` by ``actor`` on a question in ``state``, or a DomainError with the reason.

    Precondition: the caller has checked that the actor may see the question at all (enterprise membership,
    customs-office scope); ``decide`` checks the table's roles, guards and the command's own fields.
    """
    rule = TABLE.get((state.status, command.action))
    if rule is None:
        raise IllegalTransition(refusal(state.status, command.action))
    if not any(qualifies(who, actor, state) for who in rule.who):
        labels = [_WHO_LABELS[w] for w in sorted(rule.who, key=list(Who).index)]
        names = "、".join(labels[:-1]) + "或" + labels[-1] if len(labels) > 1 else labels[0]
        raise Forbidden(f"只有{names}可以{command.action.label}该问题")
    for guard in rule.guards:
        refused = guard(state, command, actor, policy, now)
        if refused is not None:
            raise refused
    if isinstance(rule.target, Status):
        return Outcome(rule.target)
    return rule.target(state, command, actor, policy)


def allowed_actions(state: QuestionState, actor: Actor, policy: Policy, now: datetime) -> list[Action]:
    """The actions whose buttons a page shows: the table allows them for this actor in this state.

    Field checks (a reason, a reply text, …) are not part of this: a button opens a form. Every item of a list
    page asks, so only the rules the actor's role can act on are tried (``_BUTTONS_FOR``), and a refusal is a
    guard's answer, not an exception.
    """
    result: list[Action] = []
    for action, who, guards, command in _BUTTONS_FOR[state.status, actor.role]:
        for capacity in who:
            if qualifies(capacity, actor, state):
                break
        else:
            continue
        for guard in guards:
            if guard(state, command, actor, policy, now) is not None:
                break
        else:
            result.append(action)
    return result


_FORM_GUARDS = {"_reason_given", "_importance_given", "_reply_given", "_append_given", "_forward_given"}
_Button = tuple[Action, tuple[Who, ...], tuple[Guard, ...], Command]


def _could_qualify(who: Who, role: Role) -> bool:
    """Whether someone of ``role`` acts in capacity ``who`` on some question: ``qualifies`` for a question they
    asked and were chosen to review (the capacities that name a person then hang on the role alone)."""
    return qualifies(who, Actor(role, 0), QuestionState(status=None, creator_id=0, assigned_executive_id=0))


# What allowed_actions tries, by status and the actor's role: the table's rules in its order without the automatic
# close, each with the capacities that role can hold, its guards but the form's (checked when the form is sent) and
# its button's command, before any form field.
_BUTTONS_FOR: dict[tuple[Status | None, Role], tuple[_Button, ...]] = {
    (status, role): tuple(
        (a, tuple(w for w in rule.who if _could_qualify(w, role)),
         tuple(g for g in rule.guards if g.__name__ not in _FORM_GUARDS), Command(a))
        for (s, a), rule in TABLE.items()
        if s is status and a is not Action.AUTO_CLOSE and any(_could_qualify(w, role) for w in rule.who))
    for status in (None, *Status) for role in Role
}


def mermaid() -> str:
    """A Mermaid state diagram of the table (kept in the README; a test checks it is current)."""
    lines = ["stateDiagram-v2"]
    for (status, action), rule in TABLE.items():
        targets = (rule.target,) if isinstance(rule.target, Status) else LEADS_TO[rule.target.__name__]
        for target in targets:
            if target is status:
                continue  # edits and publication keep the status
            lines.append(f"    {'[*]' if status is None else status.value} --> {target.value}: {action.value}")
    return "\n".join(lines) + "\n"


# Where each computed target may lead (for the diagram; the unit tests check decide agrees).
LEADS_TO: Mapping[str, tuple[Status, ...]] = {
    "_submit": (Status.PENDING_EXEC_REVIEW, Status.SUBMITTED),
    "_resubmit_to_executive": (Status.PENDING_EXEC_REVIEW,),
    "_evaluate": (Status.CLOSED, Status.SUBMITTED, Status.AWAITING_APPEND),
    "_append": (Status.SUBMITTED,),
    "_auto_close": (Status.CLOSED,),
    "_reply": (Status.REPLIED,),
    "_unchanged": (),
}
