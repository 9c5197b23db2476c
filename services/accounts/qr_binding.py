"""Binding WeChat by scanning: a signed-in web user shows a temporary QR code whose scene names them.

The scene string is random (``bind:`` + 24 hex), kept in the shared cache for the QR code's lifetime and
claimed once: the first openid to scan it is bound to the person (services.accounts.wechat_binding.bind_scanned).
"""

from __future__ import annotations

import secrets

from core.cache import Cache

PREFIX = "bind:"
TTL = 600  # seconds: the QR code's expire_seconds
MSG_QR_FAILED = "暂时无法生成绑定二维码，请稍后再试"


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


# ---- customs accounts (admin web /admin/account/wechat): their own scene kind ------------------------------
# "cbind:" + 32 hex (128 random bits), held server-side with the account id for the code's lifetime: it cannot
# be forged or guessed, names only the account that showed it, and is claimed once, like the person's scene.

CUSTOMS_PREFIX = "cbind:"


async def make_customs_scene(cache: Cache, account_id: int) -> str:
    scene = CUSTOMS_PREFIX + secrets.token_hex(16)
    await cache.set(f"qrbind:{scene}", f"customs:{account_id}", ttl=TTL)
    return scene


def is_customs_binding_scene(scene: str | None) -> bool:
    return bool(scene) and str(scene).startswith(CUSTOMS_PREFIX)


async def take_customs_scene(cache: Cache, scene: str) -> int | None:
    """The customs account of a customs scene, once (None: unknown, expired, used, or not a customs scene)."""
    value = await cache.get(f"qrbind:{scene}") if is_customs_binding_scene(scene) else None
    if value is None or not value.startswith("customs:") or not await cache.add(f"qrbind-used:{scene}", "1",
                                                                                  ttl=TTL):
        return None
    await cache.delete(f"qrbind:{scene}")
    return int(value.removeprefix("customs:"))
