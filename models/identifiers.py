"""Checks of identifiers people type: unified social credit codes, phone numbers. Pure functions."""

from __future__ import annotations

import re

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z); the last one is a check character.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_CONTACT_PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?")


def credit_code_check_char(first17: str) -> str:
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None when ``code`` is a valid unified social credit code, else the Chinese reason."""
    if len(code) != 18:
        return "统一社会信用代码应为 18 位"
    if not _CREDIT_SHAPE.fullmatch(code):
        return "统一社会信用代码含有无效字符（不使用 I、O、S、V、Z，字母须大写）"
    if credit_code_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确，请核对"
    return None


def normalise_credit_code(code: str) -> str:
    return code.strip().upper()


def is_mobile(phone: str) -> bool:
    return bool(_MOBILE.fullmatch(phone))


def is_contact_phone(phone: str) -> bool:
    """A mobile number or a landline such as 0411-82732333."""
    return bool(_CONTACT_PHONE.fullmatch(phone))


def mask_phone(phone: str) -> str:
    """For logs: 138****5678."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"
