"""Fixtures of the card tests: pcscd (started when needed; never skipped under CI=true), test CAs,
the virtual card slot and the desktop helper."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from core.config import DatabaseSettings
from simulators.card.pki import CardCa, make_ca
from tests.card.support import CardSlot, pcscd_running, running_helper
from tests.factories import World
from tests.http.support import Site, running_site, web_settings


@pytest.fixture(scope="session")
def pcscd() -> Iterator[None]:
    with pcscd_running():
        yield


@pytest.fixture(scope="session")
def card_ca() -> CardCa:
    return make_ca("清零测试卡CA")


@pytest.fixture(scope="session")
def other_ca() -> CardCa:
    return make_ca("其他机构CA")


@pytest.fixture
def card_slot(pcscd: None, card_ca: CardCa) -> Iterator[CardSlot]:
    slot = CardSlot(card_ca)
    yield slot
    slot.pull()


@pytest.fixture
def helper(pcscd: None, tmp_path: Path) -> Iterator[httpx.Client]:
    with running_helper(tmp_path) as client:
        yield client


def write_ca(ca: CardCa, folder: Path) -> str:
    path = folder / "card-ca.pem"
    path.write_bytes(ca.pem)
    return str(path)


@pytest.fixture
async def card_site(db: DatabaseSettings, world: World, card_ca: CardCa, tmp_path: Path) -> AsyncIterator[Site]:
    """The app with the test card CA configured (challenges valid 120 s)."""
    settings = web_settings(db, card={"ca_cert_paths": (write_ca(card_ca, tmp_path),), "challenge_ttl_seconds": 120})
    async with running_site(settings) as running:
        yield running
