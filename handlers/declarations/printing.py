"""打印报关单 / 打印通知书: a declaration's PDF, on the workbench (the entry form's and 业务数据查询's print buttons
link here) and in the JSON API (application/pdf). Shown inline; the browser saves it under the form's name."""

from __future__ import annotations

from urllib.parse import quote

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from handlers.kit.openapi import api_route
from handlers.kit.permissions import current_member, requires
from services.declarations import labels as L
from services.declarations.printing import PrintDocument, print_declaration

PAGE = "/workbench/declarations/<declaration_id:int>/print"
API = "/api/v1/workspace/declarations/<declaration_id:int>/print"
PDF = "application/pdf"
BINARY = {"type": "string", "format": "binary"}


def print_url(declaration_id: int, document: PrintDocument) -> str:
    """Where a page links to print (the entry form; the business query page builds the same)."""
    return PAGE.replace("<declaration_id:int>", str(declaration_id)) + f"/{document.value}.pdf"


async def _pdf(request: Request, declaration_id: int, document: PrintDocument) -> HTTPResponse:
    printed = await print_declaration(request.app.ctx.services, await current_member(request),
                                      request.app.ctx.storage, declaration_id, document)
    return HTTPResponse(printed.data, content_type=PDF, headers={
        "content-disposition": f"inline; filename*=UTF-8''{quote(printed.filename)}", "cache-control": "no-store"})


def printing_blueprint() -> Blueprint:
    bp = Blueprint("declaration_printing")
    bp.add_route(declaration_page, PAGE + "/declaration.pdf", methods=["GET"])
    bp.add_route(notice_page, PAGE + "/notice.pdf", methods=["GET"])

    @api_route(bp, "GET", API + "/declaration.pdf", summary="打印报关单（PDF，报关员章水印与企业印章）", tag="报关单",
               response=BINARY, produces=PDF)
    @requires(L.PRINT)
    async def declaration_pdf(request: Request, declaration_id: int) -> HTTPResponse:
        return await _pdf(request, declaration_id, PrintDocument.DECLARATION)

    @api_route(bp, "GET", API + "/notice.pdf", summary="打印通知书（放行通知书 PDF；放行或结关后）", tag="报关单",
               response=BINARY, produces=PDF)
    @requires(L.PRINT)
    async def notice_pdf(request: Request, declaration_id: int) -> HTTPResponse:
        return await _pdf(request, declaration_id, PrintDocument.NOTICE)

    return bp


@requires(L.PRINT)
async def declaration_page(request: Request, declaration_id: int) -> HTTPResponse:
    return await _pdf(request, declaration_id, PrintDocument.DECLARATION)


@requires(L.PRINT)
async def notice_page(request: Request, declaration_id: int) -> HTTPResponse:
    return await _pdf(request, declaration_id, PrintDocument.NOTICE)
