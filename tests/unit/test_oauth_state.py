"""The OAuth state: WeChat-shaped, signed, expiring, single use, and only ever pointing at this site."""

from __future__ import annotations

import re

import pytest

from core.cache import MemoryCache
from models.errors import Forbidden
from services.accounts.oauth_state import OAuthStates, safe_next_path

SECRET = "test-secret-key-0123456789"
BAD = "链接已失效，请从公众号菜单重新进入"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache() -> MemoryCache:
    return MemoryCache("test:")


@pytest.fixture
def states(cache: MemoryCache, clock: Clock) -> OAuthStates:
    return OAuthStates(cache, SECRET, ttl=600, clock=clock)


async def refused(states: OAuthStates, state: str | None) -> None:
    with pytest.raises(Forbidden) as info:
        await states.open_state(state)
    assert info.value.message == BAD


async def test_a_state_gives_back_its_path(states: OAuthStates) -> None:
    state = await states.make_state("/h5/questions/12?tab=timeline")

    assert await states.open_state(state) == "/h5/questions/12?tab=timeline"


async def test_a_state_is_what_wechat_accepts_even_for_a_long_path(states: OAuthStates) -> None:
    state = await states.make_state("/h5/" + "x" * 500)

    assert re.fullmatch(r"[A-Za-z0-9]{1,128}", state)
    assert await states.open_state(state) == "/h5/" + "x" * 500


async def test_a_state_works_once(states: OAuthStates) -> None:
    state = await states.make_state("/h5/ask")
    await states.open_state(state)

    await refused(states, state)


async def test_a_state_expires(states: OAuthStates, clock: Clock) -> None:
    state = await states.make_state("/h5/ask")
    clock.now += 601

    await refused(states, state)


async def test_a_changed_signature_is_refused(states: OAuthStates) -> None:
    state = await states.make_state("/h5/ask")
    forged = state[:-1] + ("0" if state[-1] != "0" else "1")

    await refused(states, forged)
    assert await states.open_state(state) == "/h5/ask"  # the forgery did not use the real state up


async def test_a_later_expiry_is_refused(states: OAuthStates) -> None:
    state = await states.make_state("/h5/ask")
    nonce, expires, mac = state[:16], int(state[16:24], 16), state[24:]

    await refused(states, f"{nonce}{expires + 3600:08x}{mac}")


async def test_another_key_does_not_open_it(states: OAuthStates, cache: MemoryCache, clock: Clock) -> None:
    state = await states.make_state("/h5/ask")

    await refused(OAuthStates(cache, "another-secret-key-987654", clock=clock), state)


async def test_a_path_changed_in_the_cache_is_refused(states: OAuthStates, cache: MemoryCache) -> None:
    state = await states.make_state("/h5/ask")
    await cache.set(f"oauth:state:{state[:16]}", "/admin/")

    await refused(states, state)


@pytest.mark.parametrize("state", [None, "", "abc", "Z" * 56, "0" * 56, "0" * 57])
async def test_malformed_states_are_refused(states: OAuthStates, state: str | None) -> None:
    await refused(states, state)


@pytest.mark.parametrize("path", [
    None, "", "h5/ask", "//evil.example/h5/", "/\\evil.example", "/h5\\..\\admin", "https://evil.example/",
    "javascript:alert(1)", "/\t/evil.example", "/h5/\nSet-Cookie: x=1", " /h5/", "/h5/\x7f",
])
async def test_targets_off_this_site_become_the_home_page(states: OAuthStates, path: str | None) -> None:
    assert safe_next_path(path) == "/h5/"
    assert await states.open_state(await states.make_state(path)) == "/h5/"


@pytest.mark.parametrize("path", ["/", "/h5/", "/h5/questions/12", "/h5/public?type=2&cursor=abc", "/h5/q#x"])
def test_paths_on_this_site_are_kept(path: str) -> None:
    assert safe_next_path(path) == path


def test_a_secret_key_is_required(cache: MemoryCache) -> None:
    with pytest.raises(ValueError):
        OAuthStates(cache, "short")
