"""The enterprise side's plumbing: assets, sessions, CSRF, sign-in redirects, error pages, OpenAPI."""

from __future__ import annotations

import gzip
import re

from tests.factories import World
from tests.http.support import WECHAT_UA, Site


async def test_the_style_sheet_is_weui_from_npm_and_small_on_the_wire(site: Site) -> None:
    response = await site.client.get("/static/h5.css", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert b".weui-btn" in response.content  # httpx decodes: the WeUI rules are there
    assert len(gzip.compress(response.content)) < 40_000


async def test_an_anonymous_page_visit_goes_to_sms_sign_in_outside_wechat(site: Site) -> None:
    response = await site.client.get("/h5/account?from=menu")
    assert response.status_code == 303
    assert response.headers["location"] == "/h5/login?next=%2Fh5%2Faccount%3Ffrom%3Dmenu"


async def test_an_anonymous_page_visit_inside_wechat_goes_through_oauth(site: Site) -> None:
    response = await site.client.get("/h5/account", headers={"user-agent": WECHAT_UA})
    assert response.status_code == 303
    assert response.headers["location"] == "/h5/oauth?next=%2Fh5%2Faccount"


async def test_an_anonymous_api_call_is_a_json_401(site: Site) -> None:
    response = await site.client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_signed_in"


async def test_a_forged_session_token_signs_nobody_in(site: Site) -> None:
    response = await site.client.get("/api/v1/me", headers={"authorization": "Bearer forged-token"})
    assert response.status_code == 401


async def test_an_unknown_page_is_a_chinese_html_404(site: Site) -> None:
    response = await site.client.get("/h5/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "页面或数据不存在" in response.text


async def test_a_form_without_the_csrf_token_is_refused(site: Site, world: World) -> None:
    browser = await site.browser(world.staff)
    response = await browser.client.post("/h5/logout", data={})
    assert response.status_code == 403
    assert "页面已过期" in response.text
    assert (await browser.get("/api/v1/me")).status_code == 200  # still signed in


async def test_a_removed_member_loses_access_at_once(site: Site, world: World) -> None:
    from models.enterprises import Membership

    browser = await site.browser(world.staff)
    assert (await browser.get("/api/v1/me")).status_code == 200
    await Membership.filter(person_id=world.staff.person_id).update(active=False)
    assert (await browser.get("/api/v1/me")).status_code == 401


async def test_the_openapi_document_lists_every_api_route(site: Site) -> None:
    document = (await site.client.get("/api/v1/openapi.json")).json()
    assert document["openapi"].startswith("3.")
    documented = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    routes = set()
    for route in site.app.router.routes:
        if route.path.startswith("api/v1/") and not route.path.endswith("openapi.json"):
            path = "/" + route.path.removeprefix("api/v1/")
            for method in route.methods:
                if method not in ("HEAD", "OPTIONS"):
                    routes.add((method, _openapi_path(path)))
    assert routes and routes == documented


def _openapi_path(path: str) -> str:
    return re.sub(r"<(\w+)(?::[^>]+)?>", r"{\1}", path)
