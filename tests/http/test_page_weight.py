"""Page weight on the wire: a page's HTML plus the style sheet and script it links stay under 80 KB gzipped.

Bytes are counted as transferred (``num_bytes_downloaded``: the compressed body), for a phone on a slow
network, by a signed-in staff member. Paths may use ``{published}`` (a published question) and ``{asked}`` (one of
the staff's questions, with a long timeline).
"""

from __future__ import annotations

import re

import httpx
import pytest

from models.lifecycle import Importance
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question, withdraw_question
from services.questions.exec_review import exec_approve_question
from tests.browser.published import publish_many
from tests.factories import World
from tests.http.support import Site

BUDGET = 80 * 1024
PAGES = ["/h5/", "/h5/login", "/h5/account", "/h5/ask", "/h5/questions", "/h5/questions/{asked}",
         "/h5/questions/{asked}/edit", "/h5/public", "/h5/public/{published}"]
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="(/static/[^"]+)"')


async def transferred(client: httpx.AsyncClient, url: str) -> tuple[int, str]:
    """Bytes on the wire for ``url`` fetched with gzip allowed, and its decoded text."""
    async with client.stream("GET", url, headers={"accept-encoding": "gzip"}) as response:
        assert response.status_code == 200, url
        text = (await response.aread()).decode()
        return response.num_bytes_downloaded, text


@pytest.mark.parametrize("path", PAGES)
async def test_a_page_with_its_style_sheet_and_script_is_under_80_kb(site: Site, world: World, path: str) -> None:
    published = await publish_many(world, 20)
    asked = await create_draft(ServiceContext(), world.staff, world.acme.id, world.form())
    for _ in range(10):  # a long timeline: withdrawn and sent again ten times
        await submit_question(ServiceContext(), world.staff, asked.id, executive_id=world.executive.person_id)
        await exec_approve_question(ServiceContext(), world.executive, asked.id, Importance.NORMAL)
        await withdraw_question(ServiceContext(), world.staff, asked.id)
    client = (await site.browser(world.staff)).client
    page_bytes, html = await transferred(client, path.format(published=published[-1], asked=asked.id))
    assets = ASSET.findall(html)
    assert {a.split("?")[0] for a in assets} >= {"/static/h5.css", "/static/h5.js"}
    total = page_bytes + sum([(await transferred(client, asset))[0] for asset in assets])
    assert total < BUDGET, f"{path}: {total} bytes on the wire"
