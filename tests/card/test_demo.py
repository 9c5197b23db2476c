"""`make demo`'s card part: `qingling demo` prepares a CA, two cards and the helper's config, binds the cards to
the demo people and prints the command; that command inserts the virtual card and runs the helper, with which
the demo admin signs in with the card."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from core.config import DatabaseSettings, Settings
from tests.card.support import unavailable
from tests.http.support import running_site, web_settings

ORIGIN = Settings().server.public_url  # the demo's default address


def _run_demo(cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGLING_")}
    done = subprocess.run([sys.executable, "-m", "core.cli", "demo", "--no-serve"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _helper_up(token: str) -> bool:
    try:
        answer = httpx.get("http://127.0.0.1:17380/v1/status", headers={"X-Pairing-Token": token, "Origin": ORIGIN})
    except httpx.TransportError:
        return False
    return answer.status_code == 200 and answer.json()["card_present"]


async def test_the_printed_command_lets_the_demo_admin_sign_in_with_the_card(pcscd: None, tmp_path: Path) -> None:
    printed = await asyncio.to_thread(_run_demo, tmp_path)
    assert "python -m simulators.card --folder var/card-demo" in printed
    folder = tmp_path / "var" / "card-demo"
    token = json.loads((folder / "helper.json").read_text())["pairing_token"]
    assert f"配对码 {token}" in printed
    if _helper_up(token):
        unavailable("something else already listens on the helper's port 17380")
    card = subprocess.Popen([sys.executable, "-m", "simulators.card", "--folder", "var/card-demo"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while not await asyncio.to_thread(_helper_up, token):
            assert card.poll() is None and time.monotonic() < deadline, card.stdout.read().decode()[-500:]
            await asyncio.sleep(0.2)
        settings = web_settings(DatabaseSettings(url=f"sqlite://{tmp_path / 'var' / 'demo.sqlite3'}"),
                                card={"ca_cert_paths": (str(folder / "ca.pem"),)})
        async with running_site(settings) as site:
            issued = (await site.client.post("/api/v1/card/challenges", json={"purpose": "login"})).json()
            signed = await asyncio.to_thread(
                httpx.post, "http://127.0.0.1:17380/v1/card/sign",
                json={"pin": "123456", "challenge": issued["challenge"]},
                headers={"X-Pairing-Token": token, "Origin": ORIGIN})
            body = signed.json()
            login = await site.client.post("/api/v1/card/login", json={
                "challenge_id": issued["challenge_id"], "certificate": body["certificate"],
                "signature": body["signature"], "card": body["card"]})
        assert login.status_code == 200, login.text
        assert login.json()["person"]["name"] == "王管理" and login.json()["role"] == "admin"
    finally:
        card.send_signal(signal.SIGINT)  # the command pulls its card and stops its helper
        card.wait(10)
        if card.stdout is not None:
            card.stdout.close()
