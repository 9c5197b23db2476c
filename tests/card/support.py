"""The PC/SC stack of the card tests: pcscd with vpcd's virtual readers, virtual cards from test CAs,
and the desktop helper serving its loopback API in a thread."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from smartcard.Exceptions import CardConnectionException, NoCardException
from smartcard.System import readers

from card_desktop_helper.server import HelperServer
from card_desktop_helper.settings import HelperSettings
from simulators.card.applet import CardApplet
from simulators.card.pki import CardCa, CardIdentity, IssuedCard, issue_card
from simulators.card.vpcd import InsertedCard

IN_CI = os.environ.get("CI", "").lower() == "true"
PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
READER = "Virtual PCD 00 00"
PIN = "123456"
SITE_ORIGIN = "http://127.0.0.1:8000"
PAIRING_TOKEN = "test-pairing-token-0123456789"
ACME = dict(credit_code="91210242679978245T", customs_code="2102345678", enterprise_name="大连测试进出口有限公司")


def unavailable(reason: str) -> None:
    """Skip outside CI; in CI the set-up must provide the PC/SC stack, so this fails."""
    if IN_CI:
        pytest.fail(f"PC/SC stack unavailable under CI=true: {reason}")
    pytest.skip(reason)


def _pcscd_answers() -> bool:
    try:
        return any(str(r).startswith("Virtual PCD") for r in readers())
    except Exception:  # noqa: BLE001 - any failure means "not usable yet"
        return False


@contextlib.contextmanager
def pcscd_running() -> Iterator[None]:
    """pcscd with the vpcd driver; started here (as root, in the foreground) when not already running."""
    if _pcscd_answers():
        yield
        return
    if shutil.which("pcscd") is None or not Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so").exists():
        unavailable("pcscd or vsmartcard-vpcd is not installed (make system-packages)")
    if os.geteuid() != 0:
        unavailable("pcscd is not running and only root can start it")
    _reserve_vpcd_ports()
    process = subprocess.Popen(["pcscd", "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not _pcscd_answers():
            if process.poll() is not None or time.monotonic() > deadline:
                unavailable("pcscd did not start")
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)


VPCD_PORTS = "35963-35964"  # vpcd's fixed TCP ports (two virtual readers)
RESERVED_PORTS = Path("/proc/sys/net/ipv4/ip_local_reserved_ports")


def _reserve_vpcd_ports() -> None:
    """Keep the kernel from handing vpcd's ports to other tests' outgoing connections as ephemeral ports (seen:
    pcscd then cannot listen). Root only, as starting pcscd is; other reserved ranges are kept."""
    current = RESERVED_PORTS.read_text().strip()
    if VPCD_PORTS not in current.split(","):
        RESERVED_PORTS.write_text(",".join(filter(None, [current, VPCD_PORTS])))


def card_identity(card_type: str = "legal_person", holder: str = "王法人", card_no: str = "LP0001",
                  **enterprise: str) -> CardIdentity:
    return CardIdentity(**{**ACME, **enterprise}, holder_name=holder, card_type=card_type, card_no=card_no)


def _card_present(present: bool) -> bool:
    reader = next((r for r in readers() if str(r) == READER), None)
    if reader is None:
        return False
    connection = reader.createConnection()
    try:
        connection.connect()
    except (NoCardException, CardConnectionException):
        return not present
    connection.disconnect()
    return present


@dataclass
class CardSlot:
    """The first virtual reader: insert a card, pull it out; only one card at a time."""

    ca: CardCa
    inserted: InsertedCard | None = None

    def insert(self, card: IssuedCard | CardIdentity | None = None, *, pin: str = PIN, tries: int = 3,
               pull_on_ins: int | None = None) -> CardApplet:
        self.pull()
        if not isinstance(card, IssuedCard):
            card = issue_card(self.ca, card or card_identity())
        applet = CardApplet(card, pin=pin, tries=tries)
        self.inserted = InsertedCard(applet, pull_on_ins=pull_on_ins)
        self._wait(present=True)
        return applet

    def pull(self) -> None:
        if self.inserted is not None:
            self.inserted.pull()
            self.inserted = None
            self._wait(present=False)

    def _wait(self, *, present: bool) -> None:
        deadline = time.monotonic() + 10
        while not _card_present(present):
            if time.monotonic() > deadline:
                raise AssertionError(f"pcscd did not see the card {'inserted' if present else 'pulled'}")
            time.sleep(0.05)


@contextlib.contextmanager
def running_helper(tmp_path: Path, origins: tuple[str, ...] = (SITE_ORIGIN,)) -> Iterator[httpx.Client]:
    """The helper on a free loopback port; an httpx client with the site's origin and the pairing token."""
    settings = HelperSettings(pairing_token=PAIRING_TOKEN, allowed_origins=origins, port=0,
                              path=tmp_path / "helper.json")
    server = HelperServer(settings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    headers = {"Origin": origins[0] if origins else SITE_ORIGIN, "X-Pairing-Token": PAIRING_TOKEN}
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            yield client
    finally:
        server.shutdown()
        server.server_close()


async def card_proof(site_client: httpx.AsyncClient, helper: httpx.Client, purpose: str, *, pin: str = PIN,
                     csrf: str | None = None) -> dict[str, object]:
    """What the page does: a challenge from the site, signed on the card by the helper, as the site wants it."""
    headers = {"x-csrf-token": csrf} if csrf else {}
    issued = await site_client.post("/api/v1/card/challenges", json={"purpose": purpose}, headers=headers)
    assert issued.status_code == 200, issued.text
    challenge = issued.json()
    signed = await asyncio.to_thread(helper.post, "/v1/card/sign",
                                     json={"pin": pin, "challenge": challenge["challenge"]})
    assert signed.status_code == 200, signed.text
    body = signed.json()
    return {"challenge_id": challenge["challenge_id"], "certificate": body["certificate"],
            "signature": body["signature"], "card": body["card"]}
