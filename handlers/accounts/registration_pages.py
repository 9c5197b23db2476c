"""Registering an enterprise without a card on the H5 pages (desktop browser and inside WeChat), and its status.

The same page serves both: inside WeChat the visitor first goes through OAuth (``/h5/oauth``), so the session
carries the openid, which the service binds to the new admin (channel ``wechat``); elsewhere it is a plain
form (channel ``form``). Phone ownership is the SMS code: "获取验证码" posts the form to ``/h5/register/code``
(no JavaScript needed; the chosen file is picked again after that). A successful registration signs the new
admin in and shows the review status.
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from handlers.kit.auth import (
    begin_session,
    check_csrf,
    client_ip,
    current_session,
    in_wechat,
    set_session_cookie,
    signed_in,
)
from handlers.kit.inputs import Inputs
from handlers.kit.render import page, see_other
from handlers.questions.ask_schemas import uploaded_image
from models.errors import DomainError
from services.accounts.registration import (
    RegistrationForm,
    applicant_membership,
    register_without_card,
    registration_status,
)
from services.kit.records import RegistrationChannel

MSG_CODE_SENT = "验证码已发送，5 分钟内有效"
FIELDS = ("enterprise_name", "credit_code", "legal_person", "address", "name", "phone")


def registration_pages_blueprint() -> Blueprint:
    bp = Blueprint("h5_registration")
    bp.add_route(register_form, "/h5/register", methods=["GET"])
    bp.add_route(register_code, "/h5/register/code", methods=["POST"])
    bp.add_route(register, "/h5/register", methods=["POST"])
    bp.add_route(status, "/h5/registration", methods=["GET"])
    return bp


def read_form(data: Inputs) -> RegistrationForm:
    return RegistrationForm(**{name: data.text(name) for name in FIELDS})


def _form_page(request: Request, values: dict[str, str] | None = None, *, status: int = 200,
               errors: dict[str, str] | None = None, notice: str = "") -> HTTPResponse:
    session = getattr(request.ctx, "web_session", None)
    return page(request, "register_form.html", status=status, v={n: (values or {}).get(n, "") for n in FIELDS},
                errors=errors or {}, notice=notice, wechat=bool(session and session.openid))


async def register_form(request: Request) -> HTTPResponse:
    session = await current_session(request)
    if in_wechat(request) and (session is None or not session.openid):
        return redirect("/h5/oauth?next=/h5/register", status=303)
    return _form_page(request)


async def _checked_inputs(request: Request) -> Inputs:
    session = await current_session(request)
    if session is not None:
        check_csrf(request, session)
    return Inputs.of(request)


async def register_code(request: Request) -> HTTPResponse:
    data = await _checked_inputs(request)
    values = {name: data.text(name) for name in FIELDS}
    try:
        await request.app.ctx.sms_codes.issue_code(values["phone"].strip(), ip=client_ip(request))
    except DomainError as error:
        return _form_page(request, values, status=error.status, errors={error.field or "phone": error.message})
    return _form_page(request, values, notice=MSG_CODE_SENT)


async def register(request: Request) -> HTTPResponse:
    data = await _checked_inputs(request)
    session, ctx = await current_session(request), request.app.ctx
    openid = session.openid if session is not None else None
    try:
        registration = await register_without_card(
            ctx.services, read_form(data), await uploaded_image(request), codes=ctx.sms_codes,
            code=data.text("code"), storage=ctx.storage, openid=openid,
            channel=RegistrationChannel.WECHAT if openid else RegistrationChannel.FORM)
    except DomainError as error:
        values = {name: data.text(name) for name in FIELDS}
        return _form_page(request, values, status=error.status, errors={error.field or "_form": error.message})
    membership = await applicant_membership(registration)
    new = await begin_session(request, membership=membership, openid=openid, via="wechat" if openid else "sms")
    return set_session_cookie(request, see_other("/h5/registration?done=1"), new)


async def status(request: Request) -> HTTPResponse:
    """The enterprise's registration: pending, rejected (with the reason) or approved."""
    user = await signed_in(request)
    return page(request, "register_status.html", registration=await registration_status(user.enterprise.id),
                done=request.args.get("done", ""))
