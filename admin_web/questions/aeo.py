"""AEO evidence: the 关企沟通记录 of one enterprise over a period, as an Excel download."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw

from admin_web.auth import customs_signed_in
from models.errors import ValidationFailed
from services.kit.filters import MSG_FROM_AFTER_TO
from services.questions.export import export_aeo_record

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def aeo_blueprint() -> Blueprint:
    bp = Blueprint("admin_aeo")
    bp.add_route(download, "/admin/enterprises/<enterprise_id:int>/aeo-record", methods=["GET"])
    return bp


def _day(request: Request, name: str) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        raise ValidationFailed("请选择起止日期（年-月-日）", field=name) from None


async def download(request: Request, enterprise_id: int) -> HTTPResponse:
    user = await customs_signed_in(request)
    first, last = _day(request, "from"), _day(request, "to")
    if first > last:
        raise ValidationFailed(MSG_FROM_AFTER_TO, field="from")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "aeo.xlsx"
        await export_aeo_record(user.account.id, enterprise_id, first, last, path, ctx=request.app.ctx.services)
        body = path.read_bytes()
    name = f"aeo-record-{enterprise_id}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    return raw(body, content_type=XLSX, headers={"content-disposition": f'attachment; filename="{name}"'})
