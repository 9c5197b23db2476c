"""The `qingling` console script, run as a user would: a separate process, settings from the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_URL

QINGLING = [sys.executable, "-m", "core.cli"]
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str], stdin: str = "", timeout: float = 120) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("QINGLING_")} | env
    return subprocess.run([*QINGLING, *args], env=full_env, input=stdin, capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


@pytest.fixture
def empty_sqlite(tmp_path: Path) -> dict[str, str]:
    return {"QINGLING_DATABASE_URL": f"sqlite://{tmp_path}/cli.sqlite3"}


def test_bad_config_value_stops_with_one_line_naming_the_key(empty_sqlite: dict[str, str]) -> None:
    result = run("db", "status", env=empty_sqlite | {"QINGLING_SERVER_PORT": "abc"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "server.port" in result.stderr and "QINGLING_SERVER_PORT" in result.stderr


def test_serve_refuses_an_unmigrated_database_and_names_the_fix(empty_sqlite: dict[str, str]) -> None:
    result = run("serve", env=empty_sqlite)
    assert result.returncode == 1
    assert "qingling db upgrade" in result.stderr


def test_upgrade_load_data_and_create_customs_user(empty_sqlite: dict[str, str]) -> None:
    assert run("db", "status", env=empty_sqlite).returncode == 1
    upgraded = run("db", "upgrade", env=empty_sqlite)
    assert upgraded.returncode == 0 and "0001_initial" in upgraded.stdout
    assert run("db", "upgrade", env=empty_sqlite).stdout.strip() == "数据库已是最新"
    assert run("db", "status", env=empty_sqlite).returncode == 0

    first = run("load-data", env=empty_sqlite)
    assert first.returncode == 0, first.stderr
    assert "关区与部门 1176 个，问题类型 22 个，业务类别 10 个，权限 31 项" in first.stdout
    assert "商品目录 1 版共 12030 个商品编号，代码表 17 张共 8429 项" in first.stdout
    again = run("load-data", env=empty_sqlite)
    assert again.stdout.splitlines()[-1] == first.stdout.splitlines()[-1]  # idempotent

    args = ("create-customs-user", "--username", "first_admin", "--name", "首位管理员", "--office", "0900",
            "--role", "admin", "--password-stdin")
    created = run(*args, env=empty_sqlite, stdin="Secret2026pass\n")
    assert created.returncode == 0, created.stderr
    assert "first_admin" in created.stdout
    duplicate = run(*args, env=empty_sqlite, stdin="Secret2026pass\n")
    assert duplicate.returncode == 1 and "已存在" in duplicate.stderr
    weak = run("create-customs-user", "--username", "x_admin", "--name", "某", "--office", "0900",
               "--password-stdin", env=empty_sqlite, stdin="short\n")
    assert weak.returncode == 1 and "密码至少" in weak.stderr
    unknown_office = run("create-customs-user", "--username", "y_admin", "--name", "某", "--office", "9999",
                         "--password-stdin", env=empty_sqlite, stdin="Secret2026pass\n")
    assert unknown_office.returncode == 1 and "9999" in unknown_office.stderr


@pytest.mark.skipif(not PG_URL, reason="needs QINGLING_TEST_POSTGRES")
def test_upgrade_on_postgres(postgres_url: str) -> None:
    result = run("db", "status", env={"QINGLING_DATABASE_URL": postgres_url})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "数据库已是最新"
