"""Browser-test fixtures: ``site`` and ``world`` (as in tests/http), ``chromium``, ``phones`` and ``phone``.

``phone`` is an anonymous 390×844 phone page whose base URL is the running site (``await phone.goto("/h5/…")``);
``phones.open(width=…, user_agent=in_wechat())`` opens more. Helpers are in tests/browser/support.py. Without
/usr/bin/chromium the tests are skipped with the reason, and fail under CI=true (`make test` installs it).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, Phones
from tests.http.support import Site


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: run `make system-packages` as root (Debian's chromium, fonts-wqy-microhei)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def phones(chromium: Browser, site: Site) -> AsyncIterator[Phones]:
    opened = Phones(chromium, site)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def phone(phones: Phones) -> Page:
    """An anonymous 390×844 phone: mobile Chrome on Android (``phones.open(user_agent=in_wechat())`` for WeChat)."""
    return await phones.open()
