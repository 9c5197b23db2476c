"""The bot tests' app: a real server on a free port with the test database and WeChat settings."""

import asyncio

import asyncpg
import pytest

from tests.bot.support import bot_settings, serving
from tests.bot.support import make_app as build


@pytest.fixture(autouse=True)
def no_push_claims(request: pytest.FixtureRequest) -> None:
    """The PostgreSQL database lives for the whole run: forget the messages earlier tests claimed."""
    if "db_settings" not in request.fixturenames:
        return
    db_settings = request.getfixturevalue("db_settings")
    if db_settings.url.startswith("postgres"):
        asyncio.run(_truncate_claims(db_settings.url.replace("postgres://", "postgresql://", 1)))


async def _truncate_claims(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("TRUNCATE wechat_push_claim")
    finally:
        await conn.close()


@pytest.fixture
async def client(db_settings):
    async with serving(build(bot_settings(db_settings))) as client:
        yield client
