"""The simulated WeChat platform served by a real HTTP server on a free local port, in a thread.

wechatpy's client is synchronous (requests), so it needs a real socket; the adapter uses the same server.
The platform object is shared with the test, which reads what was sent and injects faults.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sanic import Sanic

from simulators.wechat.api import blueprint
from simulators.wechat.platform import ManualClock, WechatPlatform

APP_ID, APP_SECRET = "wx0123456789abcdef", "simulated-app-secret-0123456789"
MINI_ID, MINI_SECRET = "wxfedcba9876543210", "simulated-mini-secret-0123456789"


@dataclass
class Simulator:
    platform: WechatPlatform
    clock: ManualClock
    base_url: str  # what the app's wechat.api_base is set to


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.set_inheritable(True)
    return sock


def _serve(app: Sanic, sock: socket.socket, ready: threading.Event, stop: list[Callable[[], None]]) -> None:
    async def serve() -> None:
        server = await app.create_server(sock=sock, access_log=False, return_asyncio_server=True)
        assert server is not None
        await server.startup()
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        stop.append(lambda: loop.call_soon_threadsafe(stopped.set))
        ready.set()
        await stopped.wait()
        server.server.close()

    asyncio.run(serve())


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    Sanic.test_mode = True
    clock = ManualClock()
    platform = WechatPlatform(APP_ID, APP_SECRET, MINI_ID, MINI_SECRET, clock=clock)
    app = Sanic(f"wechat_sim_{secrets.token_hex(4)}", configure_logging=False)
    app.blueprint(blueprint(platform))
    sock = _free_socket()
    ready, stop = threading.Event(), []  # stop: filled by the server thread with its stop function
    thread = threading.Thread(target=_serve, args=(app, sock, ready, stop), daemon=True)
    thread.start()
    assert ready.wait(timeout=10), "the simulator did not start"
    try:
        yield Simulator(platform, clock, f"http://127.0.0.1:{sock.getsockname()[1]}/sim/wechat")
    finally:
        stop[0]()
        thread.join(timeout=10)
        sock.close()
