"""A card inserted into vpcd's virtual reader: a TCP client speaking vpcd's protocol.

Each message is a 2-byte big-endian length and a payload. A 1-byte payload is a control code
(0 power off, 1 power on, 2 reset, 4 send the ATR — answered with the ATR); any other payload is a
command APDU, answered with the response APDU. Closing the connection is pulling the card out.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time

from simulators.card.applet import ATR, CardApplet

log = logging.getLogger(__name__)
VPCD_PORT = 35963  # reader "Virtual PCD 00 00"; 35964 is "… 00 01"
POWER_OFF, POWER_ON, RESET, GET_ATR = 0, 1, 2, 4


class InsertedCard:
    """Insert ``applet`` into the virtual reader at ``port``; ``pull()`` takes it out."""

    def __init__(self, applet: CardApplet, *, host: str = "127.0.0.1", port: int = VPCD_PORT,
                 pull_on_ins: int | None = None) -> None:
        self.applet = applet
        self.pull_on_ins = pull_on_ins  # pull the card out when this command arrives (a card pulled mid-use)
        self._sock = _connect(host, port)
        self._thread = threading.Thread(target=self._serve, name="virtual-card", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                payload = _receive(self._sock)
                if payload is None:
                    break
                answer = self._answer(payload)
                if answer is None:
                    self.pull()
                    break
                if answer:
                    self._sock.sendall(len(answer).to_bytes(2, "big") + answer)

    def _answer(self, payload: bytes) -> bytes | None:
        if len(payload) == 1:
            if payload[0] in (POWER_ON, RESET, POWER_OFF):
                self.applet.reset()
                return b""
            return ATR if payload[0] == GET_ATR else b""
        if self.pull_on_ins is not None and len(payload) > 1 and payload[1] == self.pull_on_ins:
            return None
        return self.applet.process(payload)

    def pull(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()

    def wait_pulled(self, timeout: float = 5) -> None:
        self._thread.join(timeout)


def _connect(host: str, port: int, timeout: float = 10) -> socket.socket:
    deadline = time.monotonic() + timeout
    while True:
        try:
            sock = socket.create_connection((host, port), timeout=2)
            sock.settimeout(None)
            return sock
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _receive(sock: socket.socket) -> bytes | None:
    head = _exactly(sock, 2)
    if head is None:
        return None
    return _exactly(sock, int.from_bytes(head, "big"))


def _exactly(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data
