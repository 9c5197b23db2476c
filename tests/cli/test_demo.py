"""`qingling demo` as a user runs it: on another port, stopped at any moment, started again from scratch.

Each run is a separate process in a session of its own (so every process it starts can be found, and
cleaned up whatever happens) with a working directory of its own (the demo's var/ lives there).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
QINGLING = [sys.executable, "-m", "core.cli", "demo"]
STOP_WITHIN = 10.0  # seconds, from SIGTERM to the end of the last process
READY_WITHIN = 90.0  # seconds: three Python processes import the app on a busy CI machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert port != 8000
    return int(port)


def demo_env(port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGLING_")}
    return env | {"PYTHONPATH": str(ROOT), "QINGLING_SERVER_PORT": str(port), "PYTHONUNBUFFERED": "1"}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory whose var/ holds a migrated, seeded demo (seeding takes seconds: done once)."""
    folder = tmp_path_factory.mktemp("demo")
    done = subprocess.run([*QINGLING, "--no-serve"], cwd=folder, env=demo_env(free_port()), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture
def workdir(prepared: Path, tmp_path: Path) -> Path:
    shutil.copytree(prepared / "var", tmp_path / "var")
    return tmp_path


class Demo:
    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.base = f"http://127.0.0.1:{port}"
        with open(folder / "out.txt", "w") as out, open(folder / "err.txt", "w") as err:
            self.process = subprocess.Popen(QINGLING, cwd=folder, env=demo_env(port), stdout=out, stderr=err,
                                            start_new_session=True)

    def output(self) -> tuple[str, str]:
        return (self.folder / "out.txt").read_text(), (self.folder / "err.txt").read_text()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_WITHIN
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()[1][-2000:]
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        pytest.fail("the demo did not become ready")

    def stop(self) -> float:
        """SIGTERM to the main process; the seconds until it and every process it started are gone."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=STOP_WITHIN + 5)
        while session_members(self.process.pid) and time.monotonic() - started < STOP_WITHIN + 5:
            time.sleep(0.1)
        return time.monotonic() - started

    def kill_leftovers(self) -> None:
        if session_members(self.process.pid):
            os.killpg(self.process.pid, signal.SIGKILL)  # only this run's own session
        if self.process.poll() is None:
            self.process.wait()


def session_members(session: int) -> list[int]:
    """Live processes of a session (zombies are dead: only their exit status is left to collect)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, _, _, sid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:4]
        except (OSError, ValueError):
            continue
        if int(sid) == session and state != "Z":
            members.append(int(entry.name))
    return members


@contextmanager
def demo(folder: Path) -> Iterator[Demo]:
    running = Demo(folder, free_port())
    try:
        yield running
    finally:
        running.kill_leftovers()


def test_the_demo_on_another_port_prints_it_and_its_simulators_work_through_it(workdir: Path) -> None:
    with demo(workdir) as site:
        site.wait_ready()
        printed = site.output()[0]
        urls = re.findall(r"https?://[^\s（），；]+", printed)
        assert f"{site.base}/admin/" in urls and f"{site.base}/sim/sms/inbox" in urls
        assert all(url.startswith(site.base + "/") for url in urls), urls

        # SMS: the app's Alibaba client reaches the SMS simulator through server.public_url.
        sent = httpx.post(f"{site.base}/api/v1/auth/sms-code", json={"phone": "13800000003"}, timeout=10)
        assert sent.status_code == 204, sent.text
        inbox = httpx.get(f"{site.base}/sim/sms/messages", params={"phone": "13800000003"}, timeout=10).json()
        codes = [m for m in inbox["messages"] if m["template_code"] == "SMS_900000001"]  # the demo's library
        assert len(codes) == 1 and re.fullmatch(r"\d{6}", codes[0]["params"]["code"])  # summary came by SMS too

        # WeChat: following in the phone simulator pushes to the app's callback, whose welcome links this port.
        with httpx.Client(base_url=site.base, timeout=10) as phone:
            added = phone.post("/sim/wechat/phone/followers", data={"nickname": "张关务"})
            openid = parse_qs(urlparse(added.headers["location"]).query)["openid"][0]
            phone.post("/sim/wechat/phone/subscription", data={"openid": openid, "follow": "1"})
            chat = phone.get("/sim/wechat/phone", params={"openid": openid}).text
        assert f"{site.base}/h5/bind" in chat

        assert site.stop() < STOP_WITHIN  # after ready
        assert session_members(site.process.pid) == []
        assert "Traceback" not in site.output()[1]


@pytest.mark.parametrize("after", [0.5, 2.0, 4.0])
def test_a_sigterm_during_start_up_stops_everything_in_time(workdir: Path, after: float) -> None:
    with demo(workdir) as site:
        time.sleep(after)
        assert site.stop() < STOP_WITHIN
        assert session_members(site.process.pid) == []
        assert "Traceback" not in site.output()[1], site.output()[1][-3000:]


def test_reset_starts_again_from_an_empty_database(workdir: Path) -> None:
    database = workdir / "var" / "demo.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("UPDATE person SET name = '改过的名字' WHERE phone = '13800000001'")
    done = subprocess.run([*QINGLING, "--reset", "--no-serve"], cwd=workdir, env=demo_env(free_port()),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "0001_initial" in done.stdout  # every migration applied again: the file was new
    with sqlite3.connect(database) as db:
        names = {name for (name,) in db.execute("SELECT name FROM person WHERE phone = '13800000001'")}
        departments = {name for (name,) in db.execute("SELECT name FROM department")}
        joins = db.execute("SELECT status FROM join_request").fetchall()
    assert names == {"张关务"}
    assert departments == {"总部", "关务部", "财务部"} and joins == [("pending",)]  # 部门管理, 加入申请
