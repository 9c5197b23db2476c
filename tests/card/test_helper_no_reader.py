"""The helper where PC/SC has no reader at all (a pcscd of its own, with no reader configured, in a private
mount namespace) and where the PC/SC service is not running."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.bot.support import free_socket
from tests.card.support import PAIRING_TOKEN, SITE_ORIGIN, unavailable

HELPER = [sys.executable, "-m", "card_desktop_helper"]


def _config(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "helper.json"
    path.write_text(json.dumps({"pairing_token": PAIRING_TOKEN, "allowed_origins": [SITE_ORIGIN], "port": port}))
    return path


@pytest.fixture
def helper_without_readers(tmp_path: Path) -> Iterator[httpx.Client]:
    """``unshare -m``: a tmpfs over /run/pcscd, a pcscd with an empty reader.conf.d, the helper beside it."""
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("pcscd") is None:
        unavailable("a private pcscd needs root, unshare and pcscd")
    (tmp_path / "no-readers").mkdir()
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    script = (f"mount -t tmpfs none /run/pcscd && pcscd -f -c {tmp_path / 'no-readers'} & sleep 1; "
              f"exec {' '.join(HELPER)} serve --config {_config(tmp_path, port)}")
    process = subprocess.Popen(["unshare", "-m", "sh", "-c", script], cwd=Path(__file__).parents[2],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10,
                          headers={"Origin": SITE_ORIGIN, "X-Pairing-Token": PAIRING_TOKEN})
    try:
        _wait_until_up(client, process)
        yield client
    finally:
        client.close()
        os.killpg(process.pid, signal.SIGTERM)  # the helper and the private pcscd: this test's own group
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


def _wait_until_up(client: httpx.Client, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            unavailable(f"the private pcscd could not start: {output[-300:]}")
        try:
            client.get("/v1/status")
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the helper did not start")


def test_no_reader_connected(helper_without_readers: httpx.Client) -> None:
    status = helper_without_readers.get("/v1/status")
    assert status.status_code == 200
    assert status.json() == {"readers": [], "card_present": False, "reader": None, "tries_left": None}
    answer = helper_without_readers.post("/v1/card/sign", json={"pin": "123456", "challenge": "x"})
    assert answer.status_code == 409
    assert answer.json()["error"] == {"code": "no_reader", "message": "未检测到读卡器，请连接读卡器或插入 IKey 后重试"}


def test_pcsc_service_not_running(tmp_path: Path) -> None:
    env = {**os.environ, "PCSCLITE_CSOCK_NAME": str(tmp_path / "nothing-here.comm")}
    result = subprocess.run([*HELPER, "readers", "--config", str(_config(tmp_path, 0))], env=env,
                            capture_output=True, text=True, timeout=30, cwd=Path(__file__).parents[2])
    assert result.returncode == 1
    assert result.stdout.strip() == "读卡服务未运行，请按《读卡助手安装说明》重新安装或重启电脑"


def test_the_console_script_prints_the_pairing_token_it_created(tmp_path: Path) -> None:
    config = tmp_path / "fresh" / "config.json"
    result = subprocess.run([*HELPER, "token", "--config", str(config), "--allow-origin", "https://qingling.example.cn/"],
                            capture_output=True, text=True, timeout=30, cwd=Path(__file__).parents[2])
    saved = json.loads(config.read_text())
    assert result.stdout.strip() == saved["pairing_token"]
    assert saved["allowed_origins"] == ["http://127.0.0.1:8000", "https://qingling.example.cn"]
