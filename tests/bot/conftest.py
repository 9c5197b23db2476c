"""The bot tests' app: a real server on a free port with the test database and WeChat settings."""

import pytest

from tests.bot.support import bot_settings, serving
from tests.bot.support import make_app as build


@pytest.fixture
async def client(db_settings):
    async with serving(build(bot_settings(db_settings))) as client:
        yield client
