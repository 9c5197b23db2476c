"""The request bodies of the customs side of accounts (sign-in uses the enterprise's ``PasswordBody``)."""

from __future__ import annotations

from handlers.kit.bodies import Body
from handlers.kit.fields import LongText


class RejectBody(Body):
    """A registration refused by customs, with the reason the applicant reads."""

    reason: LongText = ""
