"""A generator run in a helper process: its items arrive in order, what it raises arrives as a refusal (the
user's message) or as a failure, and a caller that stops early ends the helper."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from models.errors import ValidationFailed
from services.kit.helper_process import HelperFailed, Refused, in_helper_process


def numbers(count: int) -> Iterator[tuple[int, int]]:
    for n in range(count):
        yield n, os.getpid()


def refusing(count: int) -> Iterator[int]:
    yield count
    raise ValidationFailed("文件第2行无法读取")


def crashing(count: int) -> Iterator[int]:
    yield count
    raise KeyError("boom")


def endless(_: int) -> Iterator[int]:
    n = 0
    while True:
        yield n
        n += 1


async def test_items_arrive_in_order_from_another_process() -> None:
    got = [item async for item in in_helper_process(numbers, 500)]
    assert [n for n, _ in got] == list(range(500))
    assert {pid for _, pid in got} != {os.getpid()} and len({pid for _, pid in got}) == 1


async def test_the_refusal_class_arrives_as_its_message_and_anything_else_as_a_failure() -> None:
    seen = []
    with pytest.raises(Refused, match="文件第2行无法读取"):
        async for item in in_helper_process(refusing, 7, refusal=ValidationFailed):
            seen.append(item)
    assert seen == [7]
    with pytest.raises(HelperFailed, match="KeyError: 'boom'"):
        async for _ in in_helper_process(crashing, 7, refusal=ValidationFailed):
            pass
    with pytest.raises(HelperFailed, match="ValidationFailed"):  # not the refusal class given: a failure
        async for _ in in_helper_process(refusing, 7):
            pass


async def test_stopping_early_ends_the_helper() -> None:
    items = in_helper_process(endless, 0)
    got = [await anext(items) for _ in range(3)]
    await items.aclose()
    assert got == [0, 1, 2]
    helpers = [p for p in __import__("multiprocessing").active_children() if p.name == "qingling-helper"]
    assert helpers == []
