"""The request bodies of the customs question page: reply, publish, forward (accept and unpublish have none)."""

from __future__ import annotations

from typing import Annotated

from handlers.kit.bodies import Body
from handlers.kit.fields import LongText, OptionalId, Refusal, Text
from models.errors import ValidationFailed
from models.lifecycle import MSG_CHOOSE_REPLY_KIND, MSG_REPLY_TEXT, ReplyKind


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
