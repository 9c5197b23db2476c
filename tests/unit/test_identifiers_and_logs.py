"""Identifier checks and log masking (pure)."""

import logging
import sys

import pytest

from core.logs import MaskPhones
from models.identifiers import credit_code_problem, is_contact_phone, is_mobile, mask_phone


@pytest.mark.parametrize(("code", "problem"), [
    ("9121024267997824X5", None),  # the Liaoning manual's example enterprise
    ("91320000134785670P", None),
    ("91350100M000100Y43", None),  # GB 32100's worked example
    ("91512081MA62K0260E", None),
    ("914403001922038216", None),
    ("91440300708461136T", None),
    ("91350100M000100Y44", "统一社会信用代码校验位不正确，请核对"),
    ("91350100M000100Y4Z", "统一社会信用代码含有无效字符（不使用 I、O、S、V、Z，字母须大写）"),
    ("9121024267997824X4", "统一社会信用代码校验位不正确，请核对"),
    ("9121024267997824X", "统一社会信用代码应为 18 位"),
    ("9121024267997824I5", "统一社会信用代码含有无效字符（不使用 I、O、S、V、Z，字母须大写）"),
    ("91210242679978 4X5", "统一社会信用代码含有无效字符（不使用 I、O、S、V、Z，字母须大写）"),
])
def test_credit_code_check_digit(code: str, problem: str | None) -> None:
    assert credit_code_problem(code) == problem


def test_phone_numbers() -> None:
    assert is_mobile("13800138000") and not is_mobile("12800138000") and not is_mobile("1380013800")
    assert is_contact_phone("0411-82732333") and is_contact_phone("13800138000")
    assert not is_contact_phone("12345") and not is_contact_phone("0411-8273233x")
    assert mask_phone("13800138000") == "138****8000"


def test_log_records_never_carry_a_full_mobile_number() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "sms to %s for 13912345678", ("13800138000",), None)
    MaskPhones().filter(record)
    assert record.getMessage() == "sms to 138****8000 for 139****5678"


def test_a_logged_traceback_never_carries_a_full_mobile_number() -> None:
    from core.logs import MaskingFormatter

    try:
        raise ValueError("no person with phone 13912345678")
    except ValueError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = MaskingFormatter("%(message)s").format(record)
    assert "ValueError: no person with phone 139****5678" in line
    assert "13912345678" not in line
