"""AEO evidence: the 关企沟通记录 of one enterprise over a period, as an Excel download."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw

from admin_web.auth import customs_signed_in
from admin_web.questions.bodies import AeoQuery
from handlers.kit.bodies import read_query
from services.questions.export import export_aeo_record

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def aeo_blueprint() -> Blueprint:
    bp = Blueprint("admin_aeo")
    bp.add_route(download, "/admin/enterprises/<enterprise_id:int>/aeo-record", methods=["GET"])
    return bp


async def download(request: Request, enterprise_id: int) -> HTTPResponse:
    user = await customs_signed_in(request)
    query = read_query(request, AeoQuery)
    query.period()
    first, last = query.date_from, query.date_to
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "aeo.xlsx"
        await export_aeo_record(user.account.id, enterprise_id, first, last, path, ctx=request.app.ctx.services)
        body = path.read_bytes()
    name = f"aeo-record-{enterprise_id}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    return raw(body, content_type=XLSX, headers={"content-disposition": f'attachment; filename="{name}"'})
