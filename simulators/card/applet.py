"""The card application: answers command APDUs (SELECT, VERIFY, READ BINARY, sign) like a real card would."""

from __future__ import annotations

import json
import threading

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from card_desktop_helper import protocol as p
from simulators.card.pki import IssuedCard

ATR = bytes.fromhex("3B8880010000000000000000000000")  # a T=1 ATR with no historical meaning


def _sw(code: int) -> bytes:
    return code.to_bytes(2, "big")


class CardApplet:
    """One card: its files, its PIN with a retry counter that survives power cycles, its key."""

    def __init__(self, card: IssuedCard, *, pin: str = "123456", tries: int = 3) -> None:
        self.card = card
        self._pin = pin.encode()
        self.max_tries = tries
        self.tries_left = tries
        data = json.dumps(card.identity.data(), ensure_ascii=False).encode()
        self._files = {p.FID_CERTIFICATE: _with_length(card.der), p.FID_ENTERPRISE: _with_length(data)}
        self._lock = threading.Lock()
        self.commands: list[int] = []  # INS bytes seen, for tests that want to know what the helper did
        self.reset()

    def reset(self) -> None:
        """Power on / reset: nothing selected, PIN not verified (the retry counter is kept)."""
        self._selected_app = False
        self._file: int | None = None
        self._verified = False

    def process(self, apdu: bytes) -> bytes:
        with self._lock:
            if len(apdu) < 4:
                return _sw(p.SW_WRONG_LENGTH)
            self.commands.append(apdu[1])
            if apdu[0] != p.CLA:
                return _sw(p.SW_CLA_NOT_SUPPORTED)
            handler = {p.INS_SELECT: self._select, p.INS_VERIFY: self._verify,
                       p.INS_READ_BINARY: self._read_binary, p.INS_SIGN: self._sign}.get(apdu[1])
            if handler is None:
                return _sw(p.SW_INS_NOT_SUPPORTED)
            return handler(apdu[2], apdu[3], _body(apdu))

    def _select(self, p1: int, p2: int, data: bytes) -> bytes:
        if p1 == 0x04:  # by AID (any P2: first / only occurrence, with or without FCI)
            if data != p.AID:
                return _sw(p.SW_FILE_NOT_FOUND)
            self._selected_app, self._file = True, None
            return _sw(p.SW_OK)
        if p1 == 0x02 and self._selected_app and len(data) == 2:
            fid = int.from_bytes(data, "big")
            if fid not in self._files:
                return _sw(p.SW_FILE_NOT_FOUND)
            self._file = fid
            return _sw(p.SW_OK)
        return _sw(p.SW_WRONG_P1P2 if p1 not in (0x02, 0x04) else p.SW_FILE_NOT_FOUND)

    def _verify(self, p1: int, p2: int, data: bytes) -> bytes:
        if not self._selected_app or p1 != 0 or p2 != p.PIN_REFERENCE:
            return _sw(p.SW_CONDITIONS_NOT_SATISFIED if not self._selected_app else p.SW_WRONG_P1P2)
        if self.tries_left == 0:
            return _sw(p.SW_PIN_BLOCKED)
        if not data:  # an empty VERIFY asks for the tries left
            return _sw(p.SW_OK if self._verified else 0x63C0 | self.tries_left)
        if data == self._pin:
            self.tries_left, self._verified = self.max_tries, True
            return _sw(p.SW_OK)
        self.tries_left -= 1
        self._verified = False
        return _sw(0x63C0 | self.tries_left)

    def _read_binary(self, p1: int, p2: int, data: bytes) -> bytes:
        if self._file is None:
            return _sw(p.SW_CONDITIONS_NOT_SATISFIED)
        content, offset = self._files[self._file], (p1 << 8) | p2
        if offset > len(content):
            return _sw(p.SW_WRONG_P1P2)
        return content[offset:offset + p.CHUNK] + _sw(p.SW_OK)

    def _sign(self, p1: int, p2: int, data: bytes) -> bytes:
        if (p1, p2) != (0x9E, 0x9A):
            return _sw(p.SW_WRONG_P1P2)
        if not self._verified:
            return _sw(p.SW_SECURITY_NOT_SATISFIED)
        if not data or len(data) > p.MAX_CHALLENGE:
            return _sw(p.SW_WRONG_LENGTH)
        return self.card.key.sign(data, ec.ECDSA(hashes.SHA256())) + _sw(p.SW_OK)


def _with_length(content: bytes) -> bytes:
    return len(content).to_bytes(2, "big") + content


def _body(apdu: bytes) -> bytes:
    """The command data of a short APDU (case 3 or 4); empty for cases 1 and 2."""
    if len(apdu) <= 5:
        return b""
    lc = apdu[4]
    return apdu[5:5 + lc]
