"""The request bodies of the settings pages (customs accounts, offices, catalogs), one class each."""

from __future__ import annotations

from typing import Annotated

from handlers.kit.bodies import Body, PageQuery, PeriodQuery, same_password
from handlers.kit.fields import Flag, OptionalId, Refusal, Secret, Text
from services.desk.account_settings import MSG_CHOOSE_OFFICE, AccountForm
from services.desk.audit_log import AuditFilter


class NameBody(Body):
    name: Text = ""


class CodeNameBody(NameBody):
    code: Text = ""


class ActiveBody(Body):
    active: Flag = False


class AcceptsBody(Body):
    accepts: Flag = False


class MoveBody(Body):
    direction: Text = ""

    @property
    def up(self) -> bool:
        return self.direction == "up"


class PasswordBody(Body):
    password: Secret = ""
    password2: Secret = ""

    def checked_password(self) -> str:
        return same_password(self.password, self.password2) if self.password else ""


class AccountBody(NameBody):
    role: Text = ""
    office_id: Annotated[OptionalId, Refusal(MSG_CHOOSE_OFFICE)] = None

    def form(self) -> AccountForm:
        return AccountForm(self.name, self.role, self.office_id)


class NewAccountBody(AccountBody, PasswordBody):
    username: Text = ""


class AuditQuery(PageQuery):
    """The audit log's filter; the service parses it (``AuditFilter.from_args``), here unreadable text is refused."""

    actor: Text = ""
    action: Text = ""
    object_type: Text = ""
    object_id: Text = ""
    date_from: Text = ""
    date_to: Text = ""

    def filter(self) -> AuditFilter:
        return AuditFilter.from_args(self.model_dump(exclude={"cursor"}))


class StatisticsQuery(PeriodQuery):
    """The period of the statistics (either end may be open)."""
