"""Registering an enterprise without a card on the H5 pages (desktop browser and inside WeChat), and its status.

The same page serves both: inside WeChat the visitor first goes through OAuth (``/h5/oauth``), so the session
carries the openid, which the service binds to the new admin (channel ``wechat``); elsewhere it is a plain
form (channel ``form``). Phone ownership is the SMS code: "获取验证码" sends it through the JSON API from the
page's script, and without JavaScript posts the form to ``/h5/register/code``. Either way, and on a refused
registration, nothing typed or chosen is lost: the licence image is kept (handlers/kit/uploads.py, owned by no
person: the visitor is not signed in). A successful registration signs the new admin in and shows the review
status.
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from handlers.accounts.bodies import RegistrationBody
from handlers.kit.auth import (
    begin_session,
    check_csrf,
    client_ip,
    current_session,
    in_wechat,
    set_session_cookie,
    signed_in,
)
from handlers.kit.bodies import typed_values
from handlers.kit.forms import NOTHING_REFUSED, Refused, form_action
from handlers.kit.render import page, see_other
from handlers.kit.sessions import WebSession
from handlers.kit.uploads import form_image, keep_on_refusal, release_kept
from models.errors import DomainError
from services.accounts.labels import REGISTRATION_STATUS_LABELS
from services.accounts.registration import applicant_membership, register_without_card, registration_status
from services.accounts.sms_codes import MSG_CODE_SENT
from services.kit.pending_images import PendingImage
from services.kit.records import RegistrationChannel

FIELDS = ("enterprise_name", "credit_code", "legal_person", "address", "name", "phone")  # kept on the page


def registration_pages_blueprint() -> Blueprint:
    bp = Blueprint("h5_registration")
    bp.add_route(register_form, "/h5/register", methods=["GET"])
    bp.add_route(register_code, "/h5/register/code", methods=["POST"])
    bp.add_route(register, "/h5/register", methods=["POST"])
    bp.add_route(status, "/h5/registration", methods=["GET"])
    return bp


def _form_page(request: Request, values: dict[str, str] | None = None, *, status: int = 200,
               errors: dict[str, str] | None = None, notice: str = "", kept: PendingImage | None = None
               ) -> HTTPResponse:
    session = getattr(request.ctx, "web_session", None)
    return page(request, "register_form.html", status=status, v={n: (values or {}).get(n, "") for n in FIELDS},
                errors=errors or {}, notice=notice, wechat=bool(session and session.openid), kept=kept)


async def register_form(request: Request) -> HTTPResponse:
    session = await current_session(request)
    if in_wechat(request) and (session is None or not session.openid):
        return redirect("/h5/oauth?next=/h5/register", status=303)
    return _form_page(request)


async def checked_session(request: Request) -> WebSession | None:
    """The visitor's session, if any (then the form must carry its CSRF token); registering needs no sign-in."""
    session = await current_session(request)
    if session is not None:
        check_csrf(request, session)
    return session


async def register_code(request: Request) -> HTTPResponse:
    async def change(session: WebSession | None, body: RegistrationBody) -> HTTPResponse:
        await request.app.ctx.sms_codes.issue_code(body.phone, ip=client_ip(request))
        refused, kept = await keep_on_refusal(request, None, NOTHING_REFUSED)
        return _form_page(request, typed_values(request, RegistrationBody), notice=MSG_CODE_SENT,
                          errors=refused.beside(), kept=kept)

    async def again(session: WebSession | None, refused: Refused) -> HTTPResponse:
        refused, kept = await keep_on_refusal(request, None, refused)
        return _form_page(request, dict(refused.values), status=refused.status, errors=refused.beside(whole="phone"),
                          kept=kept)

    return await form_action(request, checked_session, RegistrationBody, change, again, catch=(DomainError,))


async def register(request: Request) -> HTTPResponse:
    ctx = request.app.ctx

    async def change(session: WebSession | None, body: RegistrationBody) -> HTTPResponse:
        openid = session.openid if session is not None else None
        channel = RegistrationChannel.WECHAT if openid else RegistrationChannel.FORM
        licence, token = await form_image(request, None)
        registration = await register_without_card(
            ctx.services, body.form(), licence, codes=ctx.sms_codes, code=body.code,
            storage=ctx.storage, openid=openid, channel=channel)
        await release_kept(request, None, token)
        membership = await applicant_membership(registration)
        new = await begin_session(request, membership=membership, openid=openid, via="wechat" if openid else "sms")
        return set_session_cookie(request, see_other("/h5/registration?done=1"), new)

    async def again(session: WebSession | None, refused: Refused) -> HTTPResponse:
        refused, kept = await keep_on_refusal(request, None, refused)
        return _form_page(request, dict(refused.values), status=refused.status, errors=refused.beside(), kept=kept)

    return await form_action(request, checked_session, RegistrationBody, change, again, catch=(DomainError,))


async def status(request: Request) -> HTTPResponse:
    """The enterprise's registration: pending, rejected (with the reason) or approved."""
    user = await signed_in(request)
    return page(request, "register_status.html", registration=await registration_status(user.enterprise.id),
                status_labels=REGISTRATION_STATUS_LABELS, done=request.args.get("done", ""))
