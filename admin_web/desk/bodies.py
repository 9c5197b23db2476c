"""The request bodies of the settings pages (customs accounts, offices, catalogs), one class each."""

from __future__ import annotations

from typing import Annotated

from handlers.kit.bodies import Body
from handlers.kit.fields import Flag, OptionalId, Refusal, Secret, Text
from models.errors import ValidationFailed
from services.desk.account_settings import MSG_CHOOSE_OFFICE, AccountForm

MSG_PASSWORDS_DIFFER = "两次输入的密码不一致"


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
        if self.password and self.password != self.password2:
            raise ValidationFailed(MSG_PASSWORDS_DIFFER, field="password2")
        return self.password


class AccountBody(NameBody):
    role: Text = ""
    office_id: Annotated[OptionalId, Refusal(MSG_CHOOSE_OFFICE)] = None

    def form(self) -> AccountForm:
        return AccountForm(self.name, self.role, self.office_id)


class NewAccountBody(AccountBody, PasswordBody):
    username: Text = ""
