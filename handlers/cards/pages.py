"""H5 pages of the card flows: card sign-in, card registration, binding a card, and legal-person authorisation
(the card-gated library itself is handlers/library).

Reading the card needs the desktop helper on the user's PC, so these pages use JavaScript (card.js) to talk to
it; revoking an authorisation is a plain form. Every card page links the helper's install page, which offers
the helper as a download built by the app (helper_download.py).
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw

from card_desktop_helper import PYSCARD_REQUIREMENT
from handlers.cards.helper_download import FILE_NAME, URL, HelperDownload, helper_download, helper_port, site_origin
from handlers.kit.auth import client_ip, signed_in
from handlers.kit.render import page, see_other
from services.accounts.labels import MEMBER_ROLE_LABELS as ROLE_LABELS
from services.accounts.oauth_state import safe_next_path
from services.cards.authorisations import MODULES, enterprise_people, list_authorisations, revoke
from services.kit.records import MemberRole


def helper_url(request: Request) -> str:
    return request.app.ctx.settings.card.helper_url


def download_of(request: Request) -> HelperDownload:
    settings = request.app.ctx.settings
    return helper_download(site_origin(settings.server.public_url), helper_port(settings.card.helper_url))


def card_pages_blueprint() -> Blueprint:
    bp = Blueprint("h5_card")
    bp.add_route(login_page, "/h5/card/login", methods=["GET"])
    bp.add_route(register_page, "/h5/card/register", methods=["GET"])
    bp.add_route(helper_page, "/h5/card/helper", methods=["GET"])
    bp.add_route(helper_file, URL, methods=["GET"])
    bp.add_route(card_home, "/h5/card", methods=["GET"])
    bp.add_route(authorisations_page, "/h5/card/authorisations", methods=["GET"])
    bp.add_route(revoke_form, "/h5/card/authorisations/<authorisation_id:int>/revoke", methods=["POST"])
    return bp


async def login_page(request: Request) -> HTTPResponse:
    return page(request, "card_login.html", next_path=safe_next_path(request.args.get("next")),
                helper_url=helper_url(request))


async def register_page(request: Request) -> HTTPResponse:
    return page(request, "card_register.html", helper_url=helper_url(request))


async def helper_page(request: Request) -> HTTPResponse:
    return page(request, "card_helper_install.html", download=download_of(request), file_name=FILE_NAME,
                pyscard=PYSCARD_REQUIREMENT)


async def helper_file(request: Request) -> HTTPResponse:
    """The zipapp; cached for good under its content-hash URL (``?v=``), briefly under the bare one."""
    found = download_of(request)
    headers = {"cache-control": "public, max-age=31536000, immutable" if request.args.get("v") == found.version
               else "public, max-age=300", "etag": f'"{found.version}"',
               "content-disposition": f'attachment; filename="{FILE_NAME}"', "x-content-type-options": "nosniff"}
    if request.headers.get("if-none-match") == f'"{found.version}"':
        return HTTPResponse(status=304, headers=headers)
    return raw(found.body, content_type="application/zip", headers=headers)


async def card_home(request: Request) -> HTTPResponse:
    user = await signed_in(request)
    return page(request, "card_home.html", helper_url=helper_url(request),
                is_admin=user.role is MemberRole.ADMIN, done=request.args.get("done", ""))


async def authorisations_page(request: Request) -> HTTPResponse:
    user = await signed_in(request)
    rows = await list_authorisations(user.membership)
    people = await enterprise_people(user.membership)
    return page(request, "card_authorisations.html", rows=rows, people=people, modules=MODULES,
                role_labels=ROLE_LABELS, helper_url=helper_url(request), done=request.args.get("done", ""))


async def revoke_form(request: Request, authorisation_id: int) -> HTTPResponse:
    user = await signed_in(request)
    await revoke(request.app.ctx.services, user.membership, authorisation_id, ip=client_ip(request))
    return see_other("/h5/card/authorisations?done=revoked")

