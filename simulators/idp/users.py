"""The simulated central accounts (中央标准版账号) the demo and the tests sign in with."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CentralUser:
    username: str
    password: str
    subject: str  # the stable ``sub`` the provider gives this account
    name: str
    phone: str
    credit_code: str  # 统一社会信用代码 of the account's enterprise
    enterprise_name: str

    def claims(self, scopes: set[str]) -> dict[str, object]:
        """The userinfo claims ``scopes`` allow (OpenID Connect Core §5.4; ``enterprise`` is our own scope)."""
        claims: dict[str, object] = {"sub": self.subject}
        if "profile" in scopes:
            claims |= {"name": self.name, "preferred_username": self.username}
        if "phone" in scopes:
            claims |= {"phone_number": self.phone, "phone_number_verified": True}
        if "enterprise" in scopes:
            claims |= {"enterprise_credit_code": self.credit_code, "enterprise_name": self.enterprise_name}
        return claims


DEMO_PASSWORD = "central2026demo"
DEMO_USERS = (
    # An employee of the demo enterprise (core/demo.py) who has no local account yet.
    CentralUser("dl_zhaoyi", DEMO_PASSWORD, "cn-sw-100001", "赵一", "13800000011", "9121024267997824X5",
                "大连示例进出口有限公司"),
    # A second employee of the demo enterprise.
    CentralUser("dl_qianer", DEMO_PASSWORD, "cn-sw-100002", "钱二", "13800000012", "9121024267997824X5",
                "大连示例进出口有限公司"),
    # An account whose enterprise is not registered on this platform.
    CentralUser("dl_sunsan", DEMO_PASSWORD, "cn-sw-100003", "孙三", "13800000013", "91210200MA0QBCDE0L",
                "大连未注册贸易有限公司"),
)
