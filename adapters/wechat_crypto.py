"""WeChat's message encryption (safe / compatible mode) for one account: the one home of wechatpy's private API.

wechatpy's public ``WeChatCrypto.encrypt_message`` / ``decrypt_message`` build a new ``PrpCrypto`` (and AES
cipher) for every message and draw its 16 random leading bytes one character at a time. ``AccountCrypto``
runs the same wechatpy code with one ``PrpCrypto`` per account whose random prefix comes from ``secrets``
(any 16 bytes will do: the receiver drops them). That needs wechatpy's private ``_encrypt_message`` /
``_decrypt_message`` (which take the ``PrpCrypto`` factory) and replacing ``PrpCrypto.get_random_string``;
tests/bot/test_crypto_vectors.py pins the result byte for byte to WeChat's official vectors, so a wechatpy
upgrade that changes them fails there, not in production.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from typing import Any

from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

__all__ = ["AccountCrypto", "InvalidAppIdException", "InvalidSignatureException", "crypto_for"]


class AccountCrypto(WeChatCrypto):
    """wechatpy's ``WeChatCrypto`` for one account, its ``PrpCrypto`` (the AES cipher) built once."""

    def __init__(self, token: str, encoding_aes_key: str, app_id: str,
                 random_prefix: Callable[[], str] | None = None) -> None:
        super().__init__(token, encoding_aes_key, app_id)
        prp = PrpCrypto(self.key)
        prp.get_random_string = random_prefix or _random_prefix  # type: ignore[method-assign]
        self._prp = prp

    def _prp_for(self, key: bytes) -> PrpCrypto:
        return self._prp

    def encrypt_message(self, msg: Any, nonce: str, timestamp: str | None = None) -> str:
        return self._encrypt_message(msg, nonce, timestamp, self._prp_for)

    def decrypt_message(self, msg: Any, signature: str, timestamp: str, nonce: str) -> str:
        return self._decrypt_message(msg, signature, timestamp, nonce, self._prp_for)


def _random_prefix() -> str:
    return secrets.token_hex(8)  # 16 characters


@functools.lru_cache(maxsize=4)
def crypto_for(token: str, encoding_aes_key: str, app_id: str) -> AccountCrypto:
    """One crypto per account (it decodes the AES key and builds the cipher once), not one per request."""
    return AccountCrypto(token, encoding_aes_key, app_id)
