"""The personal centre's labels and refusals, once (the pages and the API show these)."""

from __future__ import annotations

from models.cards import CardType
from models.personal import Gender

GENDER_LABELS = {Gender.UNSET: "未填写", Gender.MALE: "男", Gender.FEMALE: "女"}
CARD_TYPE_LABELS = {CardType.LEGAL_PERSON: "法人卡", CardType.OPERATOR: "操作员卡"}
IMAGE_LABELS = {"avatar": "头像", "stamp": "报关员章"}

MSG_GENDER = "请选择性别"
MSG_STAMP_PNG = "报关员章须为 PNG 图片（建议透明背景）"
MSG_NEW_PHONE_SAME = "新手机号与当前手机号相同"
MSG_NO_LOCAL_ACCOUNT = "您没有地方账号（用户名 + 密码），无需设置密码"
MSG_CURRENT_PASSWORD = "请输入当前密码"
MSG_PASSWORD_SAME = "新密码不能与当前密码相同"
MSG_OFFICE_UNKNOWN = "关区代码 {code} 不存在，请输入 4 位关区代码，如 0900"
MSG_CODE_FORMAT = "{label}应为 {rule}"
MSG_SWITCH = "请选择跟随企业默认、启用或禁用"
MSG_COMPANY_ONLY = "企业默认设置仅企业管理员可以修改"
