"""The request bodies of the customs question page: reply, publish, forward (accept and unpublish have none)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from handlers.kit.bodies import Body, PageQuery, PeriodQuery
from handlers.kit.fields import Day, LongText, OptionalId, Refusal, Text
from models.errors import ValidationFailed
from models.lifecycle import MSG_CHOOSE_REPLY_KIND, MSG_REPLY_TEXT, ReplyKind
from services.questions.queue import QueueFilter

MSG_AEO_DAY = "请选择起止日期（年-月-日）"


class ReplyBody(Body):
    kind: Text = ""
    text: LongText = ""

    def checked(self) -> tuple[ReplyKind, str]:
        if self.kind not in {k.value for k in ReplyKind}:
            raise ValidationFailed(MSG_CHOOSE_REPLY_KIND, field="kind")
        if not self.text:
            raise ValidationFailed(MSG_REPLY_TEXT, field="text")
        return ReplyKind(self.kind), self.text


class PublishBody(Body):
    title: Text = ""
    description: LongText = ""
    reply: LongText = ""


class ForwardBody(Body):
    office_id: Annotated[OptionalId, Refusal("所选部门无效")] = None
    reason: LongText = ""


class QueueFilterBody(Body):
    """The queue's filter, from the page's query string or the export form; the service parses the values
    (``QueueFilter.from_args``: statuses, dates, the keyword's length), here only unreadable text is refused."""

    status: list[Text] = []
    type_id: Text = ""
    office_id: Text = ""
    importance: Text = ""
    submitted_from: Text = ""
    submitted_to: Text = ""
    keyword: Text = ""

    def filter(self) -> QueueFilter:
        return QueueFilter.from_args(self.values())

    def values(self) -> dict[str, list[str]]:
        """The filled-in values, each field a list (as in a query string)."""
        raw = self.model_dump(include=set(QueueFilterBody.model_fields))
        return {k: [v for v in (raw[k] if isinstance(raw[k], list) else [raw[k]]) if v] for k in raw}

    def pairs(self) -> list[tuple[str, str]]:
        """The filter as query-string pairs, to carry it on paging links and into the export."""
        return [(k, v) for k, values in self.values().items() for v in values]


class QueueQuery(QueueFilterBody, PageQuery):
    forwarded: Text = ""  # the number of the question just forwarded, for the notice


class AeoQuery(PeriodQuery):
    """The period of an AEO record: both ends required."""

    date_from: Annotated[Day, Refusal(MSG_AEO_DAY), Field(alias="from")]
    date_to: Annotated[Day, Refusal(MSG_AEO_DAY), Field(alias="to")]
