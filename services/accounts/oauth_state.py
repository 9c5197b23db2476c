"""The OAuth ``state``: signed, expiring, single use, and carrying where to go after sign-in.

WeChat allows only ``[a-zA-Z0-9]``, at most 128 bytes, in ``state``, so the state is hex: a random nonce,
the expiry time and an HMAC-SHA256 (keyed with ``security.secret_key``) over both and the target path.
The path itself waits in the shared cache under the nonce (it may be longer than the state allows); the
MAC binds it, so neither a forged state nor a changed cache entry sends anyone elsewhere. ``open_state``
claims the nonce with ``cache.add``: a state works once. Targets are paths on this site only.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from core.cache import Cache
from models.errors import Forbidden

DEFAULT_PATH = "/h5/"
MSG_BAD_STATE = "链接已失效，请从公众号菜单重新进入"
_STATE = re.compile(r"([0-9a-f]{16})([0-9a-f]{8})([0-9a-f]{32})")


def safe_next_path(next_path: str | None) -> str:
    """``next_path`` when it is a path on this site ("/..." but not "//", no scheme, no backslash), else "/h5/"."""
    if not next_path or not next_path.startswith("/") or next_path.startswith("//"):
        return DEFAULT_PATH
    # Browsers ignore tabs and newlines in URLs and read "\" as "/": "/\t/evil.example" is "//evil.example".
    if "\\" in next_path or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in next_path):
        return DEFAULT_PATH
    return next_path


@dataclass(frozen=True)
class OAuthStates:
    """Makes and opens states; share one per process (every process uses the same key and cache)."""

    cache: Cache
    secret_key: str
    ttl: int = 600  # seconds from the menu tap to the return from WeChat's consent page
    clock: Callable[[], float] = field(default=time.time)

    def __post_init__(self) -> None:
        if len(self.secret_key) < 16:
            raise ValueError("security.secret_key is needed (at least 16 characters) for OAuth states")

    async def make_state(self, next_path: str | None) -> str:
        """A new state for the authorize link; after sign-in ``open_state`` gives back the (safe) path."""
        path = safe_next_path(next_path)
        nonce = secrets.token_hex(8)
        expires = int(self.clock()) + self.ttl
        await self.cache.set(f"oauth:state:{nonce}", path, ttl=self.ttl)
        return f"{nonce}{expires:08x}{self._mac(nonce, expires, path)}"

    async def open_state(self, state: str | None) -> str:
        """The target path of ``state``; Forbidden when it is forged, expired or already used."""
        match = _STATE.fullmatch(state or "")
        if match is None:
            raise Forbidden(MSG_BAD_STATE, field="state")
        nonce, expires_hex, mac = match.groups()
        expires = int(expires_hex, 16)
        path = await self.cache.get(f"oauth:state:{nonce}")
        if path is None or expires <= self.clock() or not hmac.compare_digest(mac, self._mac(nonce, expires, path)):
            raise Forbidden(MSG_BAD_STATE, field="state")
        if not await self.cache.add(f"oauth:state-used:{nonce}", "1", ttl=self.ttl):
            raise Forbidden(MSG_BAD_STATE, field="state")
        await self.cache.delete(f"oauth:state:{nonce}")
        return safe_next_path(path)

    def _mac(self, nonce: str, expires: int, path: str) -> str:
        message = f"{nonce}.{expires}.{path}".encode()
        return hmac.new(self.secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]
