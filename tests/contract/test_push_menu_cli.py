"""`qingling wechat push-menu` sends bot/menu.py's menu to the (simulated) WeChat platform."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.menu import menu_definition
from tests.contract.conftest import APP_ID, APP_SECRET, Simulator

ROOT = Path(__file__).resolve().parents[2]


def push_menu(simulator: Simulator, secret: str, database: Path) -> subprocess.CompletedProcess[str]:
    """The command, its access_token shared through the (migrated) database like the app's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGLING_")} | {
        "QINGLING_WECHAT_API_BASE": simulator.base_url, "QINGLING_WECHAT_APP_ID": APP_ID,
        "QINGLING_WECHAT_APP_SECRET": secret, "QINGLING_DATABASE_URL": f"sqlite://{database}",
        "QINGLING_LOGGING_LEVEL": "WARNING",  # tortoise logs its shutdown at INFO: only the error line is left
    }
    return subprocess.run([sys.executable, "-m", "core.cli", "wechat", "push-menu"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def database(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "cli.sqlite3"
    shutil.copy(sqlite_template, path)
    return path


def test_push_menu_creates_the_menu(simulator: Simulator, database: Path) -> None:
    result = push_menu(simulator, APP_SECRET, database)
    assert result.returncode == 0, result.stderr
    assert "自定义菜单已推送" in result.stdout
    assert simulator.platform.menu == menu_definition()


def test_push_menu_with_a_wrong_secret_fails_with_one_clear_line(simulator: Simulator, database: Path) -> None:
    result = push_menu(simulator, "wrong-secret-0123456789", database)
    assert result.returncode == 1
    assert "40125" in result.stderr and result.stderr.strip().count("\n") == 0
    assert "wrong-secret" not in result.stderr + result.stdout  # the token URL carries the secret
