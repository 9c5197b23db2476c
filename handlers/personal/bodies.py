"""The personal centre's request bodies: profile, images, phone change, password, form preferences."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, create_model

from handlers.kit.bodies import Body
from handlers.kit.fields import Secret, Text, Upload
from services.personal.preference_rules import SETTINGS, Kind


class ProfileBody(Body):
    """个人资料：姓名、性别（unset 未填写 / male 男 / female 女）."""

    documented_required = ("name",)

    name: Text = ""
    gender: Annotated[Text, Field(json_schema_extra={"enum": ["unset", "male", "female"]})] = "unset"


class PersonalImageBody(Body):
    """头像或报关员章：文件在 multipart 字段 ``avatar`` / ``stamp``（报关员章须为 PNG）."""

    avatar: Upload = None
    stamp: Upload = None


class NewPhoneCodeBody(Body):
    """更换手机号第一步：向新手机号发送验证码."""

    documented_required = ("phone",)

    phone: Text = ""


class NewPhoneBody(Body):
    """更换手机号：新手机号及其收到的 6 位验证码."""

    documented_required = ("phone", "code")

    phone: Text = ""
    code: Text = ""


class PasswordChangeBody(Body):
    """地方账号密码：已有账号时填当前密码；没有时填用户名以开通地方账号。新密码输入两次."""

    documented_required = ("password", "password2")

    current_password: Secret = ""
    username: Text = ""
    password: Secret = ""
    password2: Secret = ""


def _setting_field(kind: Kind, label: str) -> Any:
    if kind is Kind.SWITCH:
        return Annotated[Text, Field(description=f"{label}：空为跟随上级设置，on 启用，off 禁用",
                                     json_schema_extra={"enum": ["", "on", "off"]})]
    return Annotated[Text, Field(description=f"{label}：空为跟随上级设置")]


# 表单设置: one text field per setting of the table (services/personal/preference_rules.py); empty follows the
# enterprise's default (and that the system's).
PreferencesBody = create_model(
    "PreferencesBody", __base__=Body, __doc__="表单设置：每项为空时跟随企业默认（企业默认为空时跟随系统默认）.",
    **{s.key: (_setting_field(s.kind, s.label), "") for s in SETTINGS})
