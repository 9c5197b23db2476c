"""What the site's pages ask the helper to do: report the reader, read the card, sign a challenge."""

from __future__ import annotations

import json
from typing import Any

from card_desktop_helper import protocol as p
from card_desktop_helper.card_reader import CardContents, CardError, CardSession, list_readers

MSG_BAD_CHALLENGE = f"服务器挑战码无效（应为 1–{p.MAX_CHALLENGE} 个字符）"
MSG_BAD_DATA = "卡内企业信息无法读取，请联系发卡机构"


def status(name_filter: str = "") -> dict[str, Any]:
    """Readers, whether a card is in one, and the PIN tries left (no PIN needed)."""
    names = [name for name in list_readers() if name_filter in name]
    answer: dict[str, Any] = {"readers": names, "card_present": False, "reader": None, "tries_left": None}
    if not names:
        return answer
    try:
        with CardSession(name_filter=name_filter) as session:
            session.select_application()
            answer.update(card_present=True, reader=session.reader, tries_left=session.tries_left())
    except CardError as error:
        if error.code not in ("no_card", "card_removed"):
            raise
    return answer


def read_card(pin: str, *, name_filter: str = "", wait_seconds: float = 0,
              challenge: str | None = None) -> CardContents:
    """Verify the PIN, read the certificate and the enterprise data, and sign ``challenge`` when given."""
    message = _challenge_bytes(challenge) if challenge is not None else None
    with CardSession(name_filter=name_filter, wait_seconds=wait_seconds) as session:
        session.select_application()
        session.verify_pin(pin)
        certificate = session.read_file(p.FID_CERTIFICATE)
        data = _card_data(session.read_file(p.FID_ENTERPRISE))
        signature = session.sign(message) if message is not None else None
        return CardContents(session.reader, certificate, data, signature)


def _challenge_bytes(challenge: str) -> bytes:
    raw = challenge.encode()
    if not challenge or len(raw) > p.MAX_CHALLENGE:
        raise CardError("bad_challenge", MSG_BAD_CHALLENGE)
    return raw


def _card_data(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode())
    except (UnicodeDecodeError, ValueError):
        raise CardError("card_failed", MSG_BAD_DATA) from None
    if not isinstance(data, dict):
        raise CardError("card_failed", MSG_BAD_DATA)
    return data
