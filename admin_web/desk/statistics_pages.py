"""Statistics for customs: the figures of services/desk/statistics.py as server-drawn SVG charts, and as CSV."""

from __future__ import annotations

from markupsafe import Markup
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw

from admin_web.auth import customs_signed_in
from admin_web.desk.bodies import StatisticsQuery
from handlers.kit.bodies import read_query
from handlers.kit.charts import bar_chart, line_chart, share_bar
from handlers.kit.render import page
from services.desk.statistics import DEEMED_ACCEPTED_LABEL, Statistics, breakdowns, question_statistics, statistics_csv


def statistics_blueprint() -> Blueprint:
    bp = Blueprint("admin_statistics")
    bp.add_route(show, "/admin/statistics", methods=["GET"])
    bp.add_route(download, "/admin/statistics.csv", methods=["GET"])
    return bp


async def _statistics(request: Request) -> Statistics:
    user = await customs_signed_in(request)
    first, last = read_query(request, StatisticsQuery).period()
    return await question_statistics(user.account.id, date_from=first, date_to=last, ctx=request.app.ctx.services)


def charts(stats: Statistics) -> list[Markup]:
    """Every chart of the page; the SVG is built from escaped text (handlers/kit/charts.py)."""
    weekly = {"提交": [(w.week, w.asked) for w in stats.weekly], "回复": [(w.week, w.replied) for w in stats.weekly],
              "办结": [(w.week, w.closed) for w in stats.weekly]}
    svgs = [
        *(bar_chart(title, list(items)) for title, items in breakdowns(stats)),
        share_bar("企业评价", [*stats.evaluations, (DEEMED_ACCEPTED_LABEL, stats.deemed_accepted)]),
        line_chart("每周趋势", weekly),
    ]
    return [Markup(svg) for svg in svgs]  # noqa: S704 - generated SVG, every label escaped


async def show(request: Request) -> HTTPResponse:
    stats = await _statistics(request)
    return page(request, "admin/statistics.html", stats=stats, charts=charts(stats),
                query=request.query_string)


async def download(request: Request) -> HTTPResponse:
    stats = await _statistics(request)
    name = f"statistics-{stats.date_from or 'all'}-{stats.date_to or 'now'}.csv"
    return raw(statistics_csv(stats).encode("utf-8"), content_type="text/csv; charset=utf-8",
               headers={"content-disposition": f'attachment; filename="{name}"'})
