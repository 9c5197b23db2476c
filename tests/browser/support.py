"""What browser tests share: phone-sized pages on the running site, signing in, WeChat's user agent, screenshots.

Chromium is Debian's (/usr/bin/chromium, installed by `make system-packages`), driven by Playwright's async
API on the test's event loop, the same loop the app is served on; never `playwright install`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Page

from core.config import PROJECT_ROOT
from handlers.kit.sessions import COOKIE, WebSession
from services.kit.actors import PersonActor
from tests.http.support import Site

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
MOBILE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/120.0.0.0 Mobile Safari/537.36")
PHONE_WIDTH, PHONE_HEIGHT = 390, 844


def in_wechat(user_agent: str = MOBILE_UA) -> str:
    """The user agent of WeChat's built-in browser on that phone (pages then sign in through OAuth)."""
    return f"{user_agent} MicroMessenger/8.0.50"


@dataclass
class Phones:
    """Opens phone-sized pages on the running site; each has its own cookies and is closed after the test."""

    browser: Browser
    site: Site
    contexts: list[BrowserContext] = field(default_factory=list)

    async def open(self, *, width: int = PHONE_WIDTH, height: int = PHONE_HEIGHT,
                   user_agent: str = MOBILE_UA) -> Page:
        context = await self.browser.new_context(
            base_url=str(self.site.client.base_url), viewport={"width": width, "height": height},
            user_agent=user_agent, is_mobile=True, has_touch=True, device_scale_factor=2, locale="zh-CN",
            timezone_id="Asia/Shanghai")
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        return await context.new_page()

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


async def sign_in(page: Page, site: Site, person: PersonActor) -> WebSession:
    """Sign ``person`` in on this page's browser context, as the SMS or OAuth sign-in would have."""
    session = await site.session_for(person)
    await page.context.add_cookies([{"name": COOKIE, "value": session.token, "url": str(site.client.base_url)}])
    return session


async def shoot(page: Page, name: str) -> Path:
    """A full-page screenshot, artifacts/screenshots/<name>.png (kept as a CI artifact)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^\w.-]+", "_", name) + ".png")
    await page.screenshot(path=str(path), full_page=True)
    return path


async def scroll_width(page: Page) -> int:
    """The page's full width in CSS pixels: more than the viewport means something overflows sideways."""
    return int(await page.evaluate("document.documentElement.scrollWidth"))
