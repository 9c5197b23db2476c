"""The card on the reader, through PC/SC (pyscard): find it, check its PIN, read its files, sign.

Every failure is a ``CardError`` with a stable code and a Chinese message for the person at the PC.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Any

from smartcard.Exceptions import CardConnectionException, NoCardException, SmartcardException
from smartcard.pcsc.PCSCExceptions import BaseSCardException
from smartcard.System import readers as pcsc_readers

from card_desktop_helper import protocol as p

MSG_NO_SERVICE = "读卡服务未运行，请按《读卡助手安装说明》重新安装或重启电脑"
MSG_NO_READER = "未检测到读卡器，请连接读卡器或插入 IKey 后重试"
MSG_NO_CARD = "未检测到卡片，请插入 IC 卡或 IKey 后重试"
MSG_NOT_OUR_CARD = "无法识别该卡，请插入电子口岸 IC 卡或 IKey"
MSG_WRONG_PIN = "卡密码错误，还可尝试 {tries} 次"
MSG_LAST_TRY = "卡密码错误，还可尝试 1 次：最后一次机会，输错将锁定卡片"
MSG_BLOCKED = "卡密码错误次数过多，卡已锁定，请联系发卡机构解锁"
MSG_REMOVED = "读卡过程中卡片被拔出，请重新插卡后重试"
MSG_CARD_FAILED = "读卡失败（{sw:04X}），请重新插卡后重试"
MSG_PIN_FORMAT = "请输入 4–16 位卡密码"
REMOVED_CODES = {0x80100069, 0x8010000C, 0x80100017, 0x80100009}  # removed card, no smartcard, reader gone


class CardError(Exception):
    """A card problem the user can act on; ``code`` is stable, ``message`` Chinese."""

    def __init__(self, code: str, message: str, *, tries_left: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.tries_left = code, message, tries_left


@dataclass(frozen=True)
class CardContents:
    reader: str
    certificate: bytes  # DER
    data: dict[str, Any]
    signature: bytes | None = None


def list_readers() -> list[str]:
    return [str(reader) for reader in _readers()]


def _readers() -> list[Any]:
    try:
        return list(pcsc_readers())
    except (SmartcardException, BaseSCardException):  # no service, or it stopped
        raise CardError("pcsc_unavailable", MSG_NO_SERVICE) from None


class CardSession:
    """One connection to the card in the first reader that has one (``name_filter`` narrows the readers)."""

    def __init__(self, *, name_filter: str = "", wait_seconds: float = 0) -> None:
        self.reader, self._connection = _connect(name_filter, wait_seconds)

    def close(self) -> None:
        with contextlib.suppress(SmartcardException):
            self._connection.disconnect()

    def __enter__(self) -> CardSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transmit(self, apdu: list[int]) -> tuple[bytes, int]:
        try:
            data, sw1, sw2 = self._connection.transmit(apdu)
        except CardConnectionException as error:
            raise _connection_error(error, self.reader) from None
        return bytes(data), (sw1 << 8) | sw2

    def select_application(self) -> None:
        _, sw = self.transmit([p.CLA, p.INS_SELECT, 0x04, 0x00, len(p.AID), *p.AID])
        if sw != p.SW_OK:
            raise CardError("not_our_card", MSG_NOT_OUR_CARD)

    def tries_left(self) -> int | None:
        """Tries left before the PIN blocks (None once verified)."""
        _, sw = self.transmit([p.CLA, p.INS_VERIFY, 0x00, p.PIN_REFERENCE])
        if sw == p.SW_PIN_BLOCKED:
            return 0
        return sw & 0x0F if sw & 0xFFF0 == 0x63C0 else None

    def verify_pin(self, pin: str) -> None:
        if not (4 <= len(pin) <= 16 and pin.isascii() and pin.isprintable()):
            raise CardError("bad_pin_format", MSG_PIN_FORMAT)
        _, sw = self.transmit([p.CLA, p.INS_VERIFY, 0x00, p.PIN_REFERENCE, len(pin), *pin.encode()])
        if sw == p.SW_OK:
            return
        if sw == p.SW_PIN_BLOCKED or sw == 0x63C0:
            raise CardError("card_blocked", MSG_BLOCKED, tries_left=0)
        if sw & 0xFFF0 == 0x63C0:
            tries = sw & 0x0F
            raise CardError("wrong_pin", MSG_LAST_TRY if tries == 1 else MSG_WRONG_PIN.format(tries=tries),
                            tries_left=tries)
        raise CardError("card_failed", MSG_CARD_FAILED.format(sw=sw))

    def read_file(self, fid: int) -> bytes:
        _, sw = self.transmit([p.CLA, p.INS_SELECT, 0x02, 0x0C, 2, fid >> 8, fid & 0xFF])
        if sw != p.SW_OK:
            raise CardError("not_our_card", MSG_NOT_OUR_CARD)
        content, size = b"", None
        while size is None or len(content) < size + 2:
            offset = len(content)
            chunk, sw = self.transmit([p.CLA, p.INS_READ_BINARY, offset >> 8, offset & 0xFF, p.CHUNK])
            if sw != p.SW_OK or not chunk:
                raise CardError("card_failed", MSG_CARD_FAILED.format(sw=sw))
            content += chunk
            size = int.from_bytes(content[:2], "big")
        return content[2:size + 2]

    def sign(self, challenge: bytes) -> bytes:
        apdu = [p.CLA, p.INS_SIGN, 0x9E, 0x9A, len(challenge), *challenge, 0x00]
        signature, sw = self.transmit(apdu)
        if sw != p.SW_OK:
            raise CardError("card_failed", MSG_CARD_FAILED.format(sw=sw))
        return signature


def _connect(name_filter: str, wait_seconds: float) -> tuple[str, Any]:
    deadline = time.monotonic() + max(0.0, wait_seconds)
    while True:
        found = [reader for reader in _readers() if name_filter in str(reader)]
        if not found and time.monotonic() >= deadline:
            raise CardError("no_reader", MSG_NO_READER)
        for reader in found:
            connection = reader.createConnection()
            try:
                connection.connect()
                return str(reader), connection
            except (NoCardException, CardConnectionException):
                continue
        if time.monotonic() >= deadline:
            raise CardError("no_card", MSG_NO_CARD)
        time.sleep(0.2)


def _connection_error(error: CardConnectionException, reader: str) -> CardError:
    """A failed exchange: the card was pulled (said by PC/SC, or the card is gone a moment later) or not."""
    if (getattr(error, "hresult", -1) & 0xFFFFFFFF) in REMOVED_CODES or "removed" in str(error).lower():
        return CardError("card_removed", MSG_REMOVED)
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:  # the reader reports the removal after its next poll
        if not _card_in(reader):
            return CardError("card_removed", MSG_REMOVED)
        time.sleep(0.1)
    return CardError("card_failed", MSG_CARD_FAILED.format(sw=0x6F00))


def _card_in(name: str) -> bool:
    for reader in _readers():
        if str(reader) == name:
            connection = reader.createConnection()
            try:
                connection.connect()
            except (NoCardException, CardConnectionException):
                return False
            connection.disconnect()
            return True
    return False
