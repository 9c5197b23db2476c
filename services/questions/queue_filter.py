"""The customs queue's filter: parsed from query arguments, with the statuses a queue can show.

The queue page opens on the open work (``OPEN_WORK``: submitted, accepted — what customs owes an answer to),
oldest first; ``status=all`` shows every status reaching customs, newest first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from models.errors import ValidationFailed
from models.lifecycle import Importance, Status
from services.kit.filters import MSG_BAD_STATUS, all_args, day_arg, one_arg

KEYWORD_MAX = 50
ALL = "all"
# Statuses that never reached customs, or were deleted: never in the queue (as in services/kit/access.py).
NOT_IN_QUEUE = (Status.DRAFT, Status.PENDING_EXEC_REVIEW, Status.RETURNED_BY_EXEC, Status.DELETED)
QUEUE_STATUSES = tuple(s for s in Status if s not in NOT_IN_QUEUE)
OPEN_WORK = (Status.SUBMITTED, Status.ACCEPTED)  # customs owes these an answer: the work queue's default

MSG_BAD_TYPE = "问题类型筛选无效"
MSG_BAD_OFFICE = "受理海关/部门筛选无效"
MSG_BAD_IMPORTANCE = "重要性筛选无效，应为一般、重要或紧急"
MSG_BAD_RANGE = "提交日期的结束日期不能早于开始日期"
MSG_LONG_KEYWORD = f"关键词不能超过 {KEYWORD_MAX} 个字"


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filter; every field optional. Dates are calendar days in the district's time zone."""

    statuses: tuple[Status, ...] = ()
    type_id: int | None = None
    office_id: int | None = None  # the office or department and everything under it
    importance: Importance | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None  # inclusive
    keyword: str = ""  # number (prefix, or a suffix of 4+ characters), title or enterprise name (contains)

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> QueueFilter:
        """Parse query arguments (a value may be a string or a list of strings, as in Sanic's ``request.args``).

        ``status`` may repeat or be comma-separated; without it the queue is the open work (``OPEN_WORK``), and
        ``all`` (or an empty value) is every status. Bad values are ValidationFailed naming the field.
        """
        given = [s.strip() for v in all_args(args, "status") for s in v.split(",")]
        statuses = tuple(dict.fromkeys(_status(s) for s in given if s and s != ALL)) if given else OPEN_WORK
        keyword = one_arg(args, "keyword")
        if len(keyword) > KEYWORD_MAX:
            raise ValidationFailed(MSG_LONG_KEYWORD, field="keyword")
        flt = cls(
            statuses=statuses,
            type_id=_id(one_arg(args, "type_id"), "type_id", MSG_BAD_TYPE),
            office_id=_id(one_arg(args, "office_id"), "office_id", MSG_BAD_OFFICE),
            importance=_importance(one_arg(args, "importance")),
            submitted_from=day_arg(one_arg(args, "submitted_from"), "submitted_from"),
            submitted_to=day_arg(one_arg(args, "submitted_to"), "submitted_to"),
            keyword=keyword,
        )
        if flt.submitted_from and flt.submitted_to and flt.submitted_to < flt.submitted_from:
            raise ValidationFailed(MSG_BAD_RANGE, field="submitted_to")
        return flt

    @property
    def oldest_first(self) -> bool:
        """A view of open work only is a work list: the longest-waiting question on top; any other, newest first."""
        return bool(self.statuses) and set(self.statuses) <= set(OPEN_WORK)

    @property
    def status_choice(self) -> str:
        """The status select's value for this filter (``all``, a status, or the comma-joined open work)."""
        return ",".join(s.value for s in self.statuses) if self.statuses else ALL


def _status(text: str) -> Status:
    try:
        status = Status(text.strip())
    except ValueError:
        raise ValidationFailed(MSG_BAD_STATUS, field="status") from None
    if status not in QUEUE_STATUSES:
        raise ValidationFailed(MSG_BAD_STATUS, field="status")
    return status


def _id(text: str, field: str, message: str) -> int | None:
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**31:
        raise ValidationFailed(message, field=field)
    return int(text)


def _importance(text: str) -> Importance | None:
    if not text:
        return None
    try:
        return Importance(text)
    except ValueError:
        raise ValidationFailed(MSG_BAD_IMPORTANCE, field="importance") from None
