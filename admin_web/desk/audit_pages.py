"""The audit log page (/admin/audit): supervisors and admins, scoped to their offices (services/desk/audit_log.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from admin_web.auth import customs_signed_in
from admin_web.desk.bodies import AuditQuery
from handlers.kit.bodies import read_query
from handlers.kit.render import page
from models.errors import ValidationFailed
from services.desk.audit_log import AuditPage, list_audit
from services.desk.labels import ACTION_LABELS, OBJECT_LABELS

FILTER_KEYS = tuple(name for name in AuditQuery.model_fields if name != "cursor")


def audit_blueprint() -> Blueprint:
    bp = Blueprint("admin_audit")
    bp.add_route(audit, "/admin/audit", methods=["GET"])
    return bp


async def audit(request: Request) -> HTTPResponse:
    user = await customs_signed_in(request)
    args = {k: request.args.get(k, "") for k in FILTER_KEYS}  # shown again as typed
    try:
        query = read_query(request, AuditQuery)
        found = await list_audit(request.app.ctx.services, user.account.id, query.filter(),
                                 cursor=query.cursor or None)
    except ValidationFailed as error:
        found, status, errors = AuditPage((), None), 400, error.errors or {"actor": error.message}
    else:
        status, errors = 200, {}
    return page(request, "admin/audit.html", status=status, found=found, values=args, errors=errors,
                actions=sorted(ACTION_LABELS.items(), key=lambda item: item[0]), objects=list(OBJECT_LABELS.items()),
                filter_query=urlencode([(k, v) for k, v in args.items() if v]))
