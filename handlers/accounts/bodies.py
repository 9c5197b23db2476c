"""The request bodies of sign-in, registration and people, one class each, shared by the JSON API and the pages.

Phone numbers, codes and credit codes are checked by their services (the message names the field); the
patterns here only document them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from handlers.kit.bodies import Body
from handlers.kit.fields import Id, OptionalId, Refusal, Secret, Text, Upload
from services.accounts.local_accounts import USERNAME_MAX
from services.accounts.registration import Applicant, RegistrationForm

Phone = Annotated[Text, Field(description="11 位手机号", json_schema_extra={"pattern": "^1[3-9][0-9]{9}$"})]
SmsCode = Annotated[Text, Field(description="6 位短信验证码", json_schema_extra={"pattern": "^[0-9]{6}$"})]
NextPath = Annotated[Text, Field(description="登录后回到的页面（站内路径）")]


class PhoneBody(Body):
    """发送短信验证码 (and the pages' no-JavaScript "获取验证码")."""

    documented_required = ("phone",)

    phone: Phone = ""
    next: NextPath = ""


class SmsSignInBody(PhoneBody):
    """手机号 + 验证码."""

    documented_required = ("phone", "code")

    code: SmsCode = ""


class MiniProgramBody(Body):
    documented_required = ("code",)

    code: Annotated[Text, Field(description="wx.login 得到的 code")] = ""


class PasswordBody(Body):
    """地方用户名 + 密码."""

    documented_required = ("username", "password")

    username: Annotated[Text, Field(description="地方用户名（快速注册时设置，不区分大小写）",
                                    max_length=USERNAME_MAX)] = ""
    password: Annotated[Secret, Field(json_schema_extra={"format": "password"})] = ""
    next: NextPath = ""


class CentralFirstBody(PasswordBody):
    """单一窗口账号首次使用：快速注册（两次密码）或绑定已有的地方账号."""

    password2: Annotated[Secret, Field(description="再次输入密码（快速注册）")] = ""


class RegistrationBody(Body):
    """无卡企业注册（multipart：营业执照为 image 文件）."""

    documented_required = ("enterprise_name", "credit_code", "name", "phone", "code", "image")

    enterprise_name: Text = ""
    credit_code: Annotated[Text, Field(description="统一社会信用代码")] = ""
    legal_person: Text = ""
    address: Text = ""
    name: Annotated[Text, Field(description="申请人（企业管理员）姓名")] = ""
    phone: Phone = ""
    code: SmsCode = ""
    image: Annotated[Upload, Field(description="营业执照图片")] = None

    def form(self) -> RegistrationForm:
        return RegistrationForm(enterprise_name=self.enterprise_name, credit_code=self.credit_code,
                                legal_person=self.legal_person, address=self.address, name=self.name,
                                phone=self.phone)


class PersonBody(Body):
    """企业高管或关务人员."""

    documented_required = ("name", "phone", "role")

    name: Text = ""
    phone: Phone = ""
    role: Annotated[Text, Field(json_schema_extra={"enum": ["executive", "staff"]})] = ""


class EnterpriseBody(Body):
    enterprise_id: Annotated[Id, Refusal("请选择企业")]


class ApplicantBody(Body):
    """The applicant of a card registration."""

    name: Text = ""
    phone: Phone = ""
    code: SmsCode = ""

    def applicant(self) -> Applicant:
        return Applicant(self.name, self.phone)


class PeopleQuery(Body):
    """人员管理: the member whose row is open for editing (``?edit=<membership id>``)."""

    edit: Annotated[OptionalId, Refusal("人员编号无效")] = None
