"""Binding WeChat by scanning: a signed-in web user shows a temporary QR code whose scene names them.

The scene string is random (``bind:`` + 24 hex), kept in the shared cache for the QR code's lifetime and
claimed once: the first openid to scan it is bound to the person (services.wechat_binding.bind_scanned).
"""

from __future__ import annotations

import secrets

from core.cache import Cache

PREFIX = "bind:"
TTL = 600  # seconds: the QR code's expire_seconds


async def make_scene(cache: Cache, person_id: int) -> str:
    scene = PREFIX + secrets.token_hex(12)
    await cache.set(f"qrbind:{scene}", str(person_id), ttl=TTL)
    return scene


def is_binding_scene(scene: str | None) -> bool:
    return bool(scene) and str(scene).startswith(PREFIX)


async def take_scene(cache: Cache, scene: str) -> int | None:
    """The person of a scene, once: a second scan of the same code finds nothing."""
    person_id = await cache.get(f"qrbind:{scene}")
    if person_id is None or not await cache.add(f"qrbind-used:{scene}", "1", ttl=TTL):
        return None
    await cache.delete(f"qrbind:{scene}")
    return int(person_id)
