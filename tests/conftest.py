"""Shared fixtures: every storage-touching test runs on SQLite + in-process cache, and also on
PostgreSQL + Redis when QINGLING_TEST_POSTGRES / QINGLING_TEST_REDIS are set (a fresh database per run).

In CI (CI=true) a skipped test fails the run: tools and services must be installed by the set-up.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import asyncpg
import pytest
import redis.asyncio as aredis
from tortoise.backends.base.executor import EXECUTOR_CACHE

from core.cache import Cache, MemoryCache, RedisCache
from core.config import DatabaseSettings
from core.db import close_database, open_database, upgrade
from services.declarations.single_window import use_single_window
from services.jobs.exports import exports_folder
from services.jobs.worker import JobRunner, run_next
from services.kit.context import ServiceContext
from simulators.single_window.local import LocalSingleWindow
from simulators.single_window.platform import SingleWindowPlatform
from tests.factories import World, build_world
from tests.http.support import Site, running_site, web_settings

PG_URL = os.environ.get("QINGLING_TEST_POSTGRES", "")
REDIS_URL = os.environ.get("QINGLING_TEST_REDIS", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])
CACHES = ["memory"] + (["redis"] if REDIS_URL else [])
RUN_ID = f"{os.getpid()}_{secrets.token_hex(3)}"
SIMULATED_NOW = datetime(2026, 3, 13, 10, tzinfo=UTC)  # a Friday: the single-window simulator's clock


def pytest_configure(config: pytest.Config) -> None:
    if IN_CI and not (PG_URL and REDIS_URL):
        raise pytest.UsageError("CI=true needs QINGLING_TEST_POSTGRES and QINGLING_TEST_REDIS (see .ci/run)")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if IN_CI and skipped:
        print(f"\nCI: {skipped} test(s) skipped; in CI every test must run")
        session.exitstatus = 1


def _with_database(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{name}"))


def _asyncpg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this run, dropped at the end."""
    name = f"qingling_test_{RUN_ID}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(_asyncpg_url(PG_URL))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = _with_database(PG_URL, name).replace("postgresql://", "postgres://", 1)
    asyncio.run(_migrate(url))
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for every test (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(_migrate(f"sqlite://{path}"))
    return path


async def _migrate(url: str) -> None:
    try:
        await upgrade(DatabaseSettings(url=url))
    finally:
        await close_database()


TABLES = ("declaration_import", "declaration_exception", "library_notice", "catalogue_change",
          "declaration_send", "declaration_receipt", "bonded_list_item", "bonded_list", "sync_run", "declaration_mark",
          "declaration_event", "declaration_document", "declaration_container", "declaration_item", "declaration",
          "library_row", "library_upload", "hs_code", "catalogue_version", "code_item", "code_table",
          "personal_profile", "person_form_preferences", "company_form_defaults",
          "join_request", "department_member", "message", "company_settings", "role_grant", "workspace_role",
          "permission_node", "job", "sms_alert", "outbox_message", "audit_entry", "question_event",
          "question_evaluation", "attachment", "question_question_type", "question", "department",
          "question_number_sequence", "membership", "person", "enterprise", "customs_account", "customs_office",
          "question_type", "business_category", "wechat_push_claim", "wechat_access_token")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_settings(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> DatabaseSettings:
    if backend == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return DatabaseSettings(url=f"sqlite://{path}")
    return DatabaseSettings(url=request.getfixturevalue("postgres_url"), max_connections=60)


@pytest.fixture
async def db(db_settings: DatabaseSettings) -> AsyncIterator[DatabaseSettings]:
    """An open, empty, migrated database (tortoise initialised) for one test."""
    EXECUTOR_CACHE.clear()  # tortoise caches SQL per connection name, whatever its dialect
    await open_database(db_settings)
    if db_settings.url.startswith("postgres"):
        from core.db import connection

        await connection().execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    try:
        yield db_settings
    finally:
        await close_database()


@pytest.fixture(params=CACHES)
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    """The cache twin under test: in-process, and Redis when configured (keys isolated per test)."""
    prefix = f"qingling-test:{RUN_ID}:{secrets.token_hex(4)}:"
    if request.param == "memory":
        yield MemoryCache(prefix)
        return
    redis_cache = RedisCache.from_url(REDIS_URL, prefix)
    try:
        yield redis_cache
    finally:
        await redis_cache.close()
        client = aredis.Redis.from_url(REDIS_URL)
        keys = [key async for key in client.scan_iter(f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@pytest.fixture
async def world(db: DatabaseSettings) -> World:
    """The literal test world (tests/factories.py) in the test's database."""
    return await build_world()


@pytest.fixture
async def site(db: DatabaseSettings, world: World) -> AsyncIterator[Site]:
    """The app running on a free port over the world's database (page, API and browser tests)."""
    async with running_site(web_settings(db)) as running:
        yield running


@pytest.fixture
async def job_worker(site: Site) -> AsyncIterator[JobRunner]:
    """A worker beside the site, running its background jobs (exports) as ``qingling worker`` does; the web
    process itself never runs one."""
    runner = JobRunner(ServiceContext(), exports_folder(site.app.ctx.settings.web.upload_dir), lease_seconds=30)
    stop = asyncio.Event()

    async def work() -> None:
        while not stop.is_set():
            if await run_next(runner) is None:
                await asyncio.sleep(0.02)

    task = asyncio.create_task(work())
    yield runner
    stop.set()
    await task


@pytest.fixture
def single_window_at_now() -> Iterator[LocalSingleWindow]:
    """The single-window simulator in-process as the process's adapter (申报 succeeds), its clock a fixed Friday."""
    port = LocalSingleWindow(SingleWindowPlatform(lambda: SIMULATED_NOW))
    use_single_window(port)
    yield port
    use_single_window(None)
