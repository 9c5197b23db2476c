"""The single window these services talk to: the simulator in-process for every test here (so 申报 succeeds), or
served over HTTP and reached through the real adapter (``served``) for the sync tests."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sanic import Sanic

from adapters.single_window import SingleWindowClient
from core.config import SingleWindowSettings
from services.declarations.single_window import use_single_window
from simulators.single_window.api import blueprint
from simulators.single_window.local import LocalSingleWindow
from simulators.single_window.platform import SingleWindowPlatform
from tests.bot.support import serving
from tests.conftest import SIMULATED_NOW

NOW = SIMULATED_NOW


@pytest.fixture(autouse=True)
def local_single_window(single_window_at_now: LocalSingleWindow) -> LocalSingleWindow:
    return single_window_at_now


@dataclass
class Served:
    platform: SingleWindowPlatform
    client: SingleWindowClient


@pytest.fixture
async def served(local_single_window: LocalSingleWindow) -> AsyncIterator[Served]:
    """The simulator on a local port, the adapter installed as the process's single window (page size 10)."""
    Sanic.test_mode = True
    platform = SingleWindowPlatform(lambda: NOW)
    app = Sanic(f"sw_{secrets.token_hex(4)}", configure_logging=False)
    app.blueprint(blueprint(platform))
    async with serving(app) as http:
        client = SingleWindowClient(SingleWindowSettings(
            endpoint=f"{str(http.base_url).rstrip('/')}/sim/single-window/api/v1", timeout_seconds=5, retries=1,
            backoff_ms=10, page_size=10))
        use_single_window(client)
        yield Served(platform, client)
        await client.aclose()
