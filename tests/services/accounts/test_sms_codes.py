"""SMS codes: issue and verify, the send limits per phone and per IP, tries, expiry, single use.

Runs on both cache twins. Windows and lifetimes that matter to a test are shortened to fractions of a second.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from core.cache import Cache
from models.errors import RateLimited, ServiceUnavailable, ValidationFailed
from services.accounts.sms_codes import Limit, SmsCodePolicy, SmsCodes
from services.notifications.sms import Misconfigured, SmsFailed
from tests.services.sms_fake import SECRET, RecordingSender

PHONE, OTHER_PHONE = "13900000004", "13900000005"
IP = "203.0.113.7"
TICK = 0.05  # a "minute" in tests where the minute is not the point
DEFAULT = SmsCodePolicy()
PER_MINUTE, PER_HOUR, PER_DAY, PER_IP = DEFAULT.limits


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


def codes_for(cache: Cache, sender: RecordingSender, policy: SmsCodePolicy = DEFAULT) -> SmsCodes:
    return SmsCodes(cache, sender, SECRET, policy)


@pytest.fixture
def codes(cache: Cache, sender: RecordingSender) -> SmsCodes:
    return codes_for(cache, sender)


def with_limits(*limits: Limit, code_ttl: float = 300) -> SmsCodePolicy:
    return SmsCodePolicy(code_ttl=code_ttl, limits=limits)


async def refused(call: object, message: str, kind: type[Exception] = ValidationFailed) -> None:
    with pytest.raises(kind) as info:
        await call  # type: ignore[misc]
    assert str(info.value) == message


async def test_the_code_is_sent_and_only_its_hash_is_kept(
        codes: SmsCodes, sender: RecordingSender, cache: Cache) -> None:
    await codes.issue_code(PHONE, ip=IP)

    code = sender.last_code(PHONE)
    (phone, text, out_id), = sender.sent
    assert phone == PHONE and out_id.startswith("code-")
    assert text == f"您在“清零”平台的验证码为{code}，请勿泄露给他人。如非本人操作，请忽略本短信。"
    stored = await cache.get(f"sms:login:code:{PHONE}")
    assert stored is not None and code not in stored and len(stored) == 64


async def test_the_right_code_passes_once(codes: SmsCodes, sender: RecordingSender) -> None:
    await codes.issue_code(PHONE, ip=IP)
    code = sender.last_code(PHONE)

    await codes.verify_code(PHONE, code)

    await refused(codes.verify_code(PHONE, code), "验证码已过期，请重新获取")


async def test_two_concurrent_right_answers_pass_once(codes: SmsCodes, sender: RecordingSender) -> None:
    await codes.issue_code(PHONE, ip=IP)
    code = sender.last_code(PHONE)

    results = await asyncio.gather(*(codes.verify_code(PHONE, code) for _ in range(2)), return_exceptions=True)

    assert sorted(type(r).__name__ for r in results) == ["NoneType", "ValidationFailed"]


async def test_a_code_dies_after_five_wrong_tries(codes: SmsCodes, sender: RecordingSender) -> None:
    await codes.issue_code(PHONE, ip=IP)
    code = sender.last_code(PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    for left in (4, 3, 2, 1):
        await refused(codes.verify_code(PHONE, wrong), f"验证码错误，还可以再试 {left} 次")
    await refused(codes.verify_code(PHONE, wrong), "验证码错误次数过多，请重新获取")

    await refused(codes.verify_code(PHONE, code), "验证码错误次数过多，请重新获取")


async def test_a_burst_of_parallel_guesses_gets_five_tries_in_all(codes: SmsCodes, sender: RecordingSender) -> None:
    await codes.issue_code(PHONE, ip=IP)
    code = sender.last_code(PHONE)
    guesses = [f"{(int(code) + n) % 10**6:06d}" for n in range(1, 21)]

    results = await asyncio.gather(*(codes.verify_code(PHONE, g) for g in guesses), return_exceptions=True)

    assert all(isinstance(r, ValidationFailed) for r in results)
    assert sum(str(r) == "验证码错误次数过多，请重新获取" for r in results) == 16
    await refused(codes.verify_code(PHONE, code), "验证码错误次数过多，请重新获取")


async def test_a_new_code_replaces_the_old_one_and_its_tries(cache: Cache, sender: RecordingSender) -> None:
    codes = codes_for(cache, sender, with_limits(Limit("phone", TICK, 1, PER_MINUTE.message)))
    await codes.issue_code(PHONE, ip=IP)
    old = sender.last_code(PHONE)
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            await codes.verify_code(PHONE, "000000" if old != "000000" else "111111")
    await asyncio.sleep(TICK * 1.5)

    await codes.issue_code(PHONE, ip=IP)
    new = sender.last_code(PHONE)

    if new != old:
        await refused(codes.verify_code(PHONE, old), "验证码错误，还可以再试 4 次")
    await codes.verify_code(PHONE, new)


async def test_an_expired_code_is_refused(cache: Cache, sender: RecordingSender) -> None:
    codes = codes_for(cache, sender, with_limits(code_ttl=0.1))
    await codes.issue_code(PHONE, ip=IP)
    await asyncio.sleep(0.2)

    await refused(codes.verify_code(PHONE, sender.last_code(PHONE)), "验证码已过期，请重新获取")


@pytest.mark.parametrize(("phone", "code", "message"), [
    ("1390000000", "123456", "请输入正确的 11 位手机号"),
    ("23900000004", "123456", "请输入正确的 11 位手机号"),
    (PHONE, "12345", "请输入 6 位数字验证码"),
    (PHONE, "12345a", "请输入 6 位数字验证码"),
    (PHONE, "１２３４５６", "请输入 6 位数字验证码"),
])
async def test_malformed_input_is_refused(codes: SmsCodes, phone: str, code: str, message: str) -> None:
    await refused(codes.verify_code(phone, code), message)


async def test_a_bad_number_gets_no_sms(codes: SmsCodes, sender: RecordingSender) -> None:
    await refused(codes.issue_code("12345678901", ip=IP), "请输入正确的 11 位手机号")
    assert sender.sent == []


async def test_one_code_per_minute_per_phone(codes: SmsCodes, sender: RecordingSender) -> None:
    await codes.issue_code(PHONE, ip=IP)

    await refused(codes.issue_code(PHONE, ip="198.51.100.1"), "验证码发送过于频繁，请 60 秒后再试", RateLimited)
    await codes.issue_code(OTHER_PHONE, ip=IP)
    assert [p for p, _, _ in sender.sent] == [PHONE, OTHER_PHONE]


async def test_five_codes_per_hour_per_phone(cache: Cache, sender: RecordingSender) -> None:
    codes = codes_for(cache, sender, with_limits(Limit("phone", TICK, 1, PER_MINUTE.message), PER_HOUR))
    for _ in range(5):
        await codes.issue_code(PHONE, ip=IP)
        await asyncio.sleep(TICK * 1.5)

    await refused(codes.issue_code(PHONE, ip=IP), "验证码发送次数过多，请 1 小时后再试", RateLimited)
    assert len(sender.sent) == 5


async def test_ten_codes_per_day_per_phone(cache: Cache, sender: RecordingSender) -> None:
    codes = codes_for(cache, sender, with_limits(Limit("phone", TICK, 5, PER_HOUR.message), PER_DAY))
    for _ in range(2):
        for _ in range(5):
            await codes.issue_code(PHONE, ip=IP)
        await asyncio.sleep(TICK * 1.5)

    await refused(codes.issue_code(PHONE, ip=IP), "该手机号今日获取验证码次数已达上限，请明天再试", RateLimited)
    assert len(sender.sent) == 10


async def test_twenty_codes_per_hour_per_ip(codes: SmsCodes, sender: RecordingSender) -> None:
    phones = [f"1370000{n:04d}" for n in range(21)]
    for phone in phones[:20]:
        await codes.issue_code(phone, ip=IP)

    await refused(codes.issue_code(phones[20], ip=IP), "当前网络获取验证码过于频繁，请稍后再试", RateLimited)
    await codes.issue_code(phones[20], ip="198.51.100.1")  # the refusal did not use the phone's allowance


async def test_a_refused_request_uses_no_allowance(cache: Cache, sender: RecordingSender) -> None:
    codes = codes_for(cache, sender, with_limits(Limit("phone", TICK, 1, PER_MINUTE.message),
                                                 Limit("phone", 3600, 2, PER_HOUR.message)))
    await codes.issue_code(PHONE, ip=IP)
    for _ in range(3):
        with pytest.raises(RateLimited):
            await codes.issue_code(PHONE, ip=IP)
    await asyncio.sleep(TICK * 1.5)

    await codes.issue_code(PHONE, ip=IP)
    assert len(sender.sent) == 2


async def test_a_failed_send_is_reported_and_costs_nothing(codes: SmsCodes, sender: RecordingSender) -> None:
    sender.failing = True
    await refused(codes.issue_code(PHONE, ip=IP), "短信发送失败，请稍后再试", ServiceUnavailable)

    sender.failing = False
    await codes.issue_code(PHONE, ip=IP)
    await codes.verify_code(PHONE, sender.last_code(PHONE))


@pytest.mark.parametrize(("failure", "message", "kind"), [
    (SmsFailed("短信服务限流（Throttling）", retryable=True), "短信发送失败，请稍后再试", ServiceUnavailable),
    (SmsFailed("手机号码格式不正确（isv.MOBILE_NUMBER_ILLEGAL）", retryable=False),
     "该手机号无法接收短信，请核对后重试", ValidationFailed),
    (SmsFailed("短信签名不可用（isv.SMS_SIGNATURE_ILLEGAL）", retryable=False, misconfigured=Misconfigured.ACCOUNT),
     "短信服务暂时无法使用，已通知系统管理员处理，请稍后再试", ServiceUnavailable),
], ids=["temporary", "recipient", "configuration"])
async def test_the_user_is_told_whether_waiting_or_another_number_helps(
        codes: SmsCodes, sender: RecordingSender, failure: SmsFailed, message: str, kind: type[Exception]) -> None:
    sender.fail = [failure]
    with pytest.raises(kind) as info:
        await codes.issue_code(PHONE, ip=IP)
    assert str(info.value) == message
    assert getattr(info.value, "field", None) == ("phone" if kind is ValidationFailed else None)


async def test_logs_mask_the_phone(codes: SmsCodes, sender: RecordingSender, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="qingling.sms_codes")
    await codes.issue_code(PHONE, ip=IP)
    with pytest.raises(ValidationFailed):
        await codes.verify_code(PHONE, "000000" if sender.last_code(PHONE) != "000000" else "111111")
    with pytest.raises(RateLimited):
        await codes.issue_code(PHONE, ip=IP)

    assert len(caplog.records) == 3
    assert PHONE not in caplog.text and "139****0004" in caplog.text


def test_a_secret_key_is_required(sender: RecordingSender) -> None:
    with pytest.raises(ValueError):
        SmsCodes(None, sender, "")  # type: ignore[arg-type]
