"""The monthly library summary (seed 002 §5.4): each enterprise learns, in the message centre and by WeChat
template / SMS (the outbox), how many of its rows customs reviewed in the previous month — as 申报单位 and as
收发货人, how many 不规范 — and the change against the month before; each figure links to the filtered library.

"Reviewed in the month" counts the audited rows whose declaration date falls in the month (not the upload date):
the library's date filter is the declaration date, so each link lists exactly the rows its figure counts. The
figures of every enterprise come from one aggregate query per month; an enterprise with no reviewed row in either
month gets nothing. Once per enterprise and month (``services.library.notices``), safe with two workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from tortoise.transactions import in_transaction

from core.db import connection, dialect, fetch
from services.kit.context import ServiceContext
from services.library import labels as L
from services.library.notices import claim_notice, recipients
from services.messages.events import library_messages
from services.notifications.events import Event, Notice, queue_notices

_FIGURES_SQL = """
SELECT e, COUNT(DISTINCT id) AS reviewed, SUM(d) AS declarant, SUM(c) AS consignee,
       COUNT(DISTINCT CASE WHEN mark = 'nonstandard' THEN id END) AS nonstandard
FROM (SELECT id, declarant_enterprise_id AS e, 1 AS d, 0 AS c, mark FROM library_row
      WHERE source = 'audited' AND declared_on >= ? AND declared_on < ? AND declarant_enterprise_id IS NOT NULL
      UNION ALL
      SELECT id, consignee_enterprise_id AS e, 0 AS d, 1 AS c, mark FROM library_row
      WHERE source = 'audited' AND declared_on >= ? AND declared_on < ? AND consignee_enterprise_id IS NOT NULL) t
GROUP BY e"""


@dataclass(frozen=True)
class Figures:
    reviewed: int = 0
    declarant: int = 0
    consignee: int = 0
    nonstandard: int = 0


def previous_month(today: date) -> date:
    """The first day of the month before ``today``'s."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


async def month_figures(first: date) -> dict[int, Figures]:
    """Enterprise id -> its figures of the month starting ``first``."""
    conn = connection()
    bounds: list[Any] = [first, _next_month(first)]
    if dialect(conn) != "postgres":
        bounds = [d.isoformat() for d in bounds]
    rows = await fetch(conn, _FIGURES_SQL, *bounds, *bounds)
    return {int(r["e"]): Figures(int(r["reviewed"]), int(r["declarant"]), int(r["consignee"]),
                                 int(r["nonstandard"])) for r in rows}


def _change(now: int, before: int) -> str:
    if now > before:
        return L.MSG_CHANGE_UP.format(n=now - before)
    if now < before:
        return L.MSG_CHANGE_DOWN.format(n=before - now)
    return L.MSG_CHANGE_NONE


def library_link(**filters: str) -> str:
    return f"{L.LIBRARY_LINK}?{urlencode(filters)}"


def summary_text(first: date, now: Figures, before: Figures) -> tuple[str, str, str]:
    """The message's title, body (one line per figure, each with its filtered library link) and link."""
    period = {"from": first.isoformat(), "to": (_next_month(first) - timedelta(days=1)).isoformat()}
    month = L.MONTH.format(year=first.year, month=first.month)
    body = "\n".join((
        L.MSG_MONTHLY_REVIEWED.format(count=now.reviewed, change=_change(now.reviewed, before.reviewed),
                                      link=library_link(**period)),
        L.MSG_MONTHLY_DECLARANT.format(count=now.declarant, link=library_link(**period, role="declarant")),
        L.MSG_MONTHLY_CONSIGNEE.format(count=now.consignee, link=library_link(**period, role="consignee")),
        L.MSG_MONTHLY_NONSTANDARD.format(count=now.nonstandard, change=_change(now.nonstandard, before.nonstandard),
                                         link=library_link(**period, mark="nonstandard")),
    ))
    return L.MSG_MONTHLY_TITLE.format(month=month), body, library_link(**period)


async def send_monthly_summaries(ctx: ServiceContext, month: date | None = None) -> int:
    """Write the summary of ``month`` (its first day; default: the previous month) to every enterprise not told
    yet; how many enterprises were told now."""
    now = ctx.now()
    first = month or previous_month(now.astimezone(ctx.tz).date())
    figures = await month_figures(first)
    before = await month_figures(previous_month(first))
    people = await recipients(figures.keys() | before.keys(), now)
    key = f"monthly:{first:%Y-%m}"
    told = 0
    for enterprise_id, persons in people.items():
        mine, last = figures.get(enterprise_id, Figures()), before.get(enterprise_id, Figures())
        title, body, link = summary_text(first, mine, last)
        async with in_transaction() as conn:
            if not await claim_notice(conn, enterprise_id, key, {"month": mine.__dict__, "before": last.__dict__},
                                      now):
                continue
            await library_messages(conn, enterprise_id=enterprise_id, people=persons, title=title, body=body,
                                   link=link, now=now)
            await queue_notices(conn, [Notice(Event.LIBRARY_MONTHLY, p) for p in persons], question_id=None,
                                occasion=f"e{enterprise_id}:{first:%Y-%m}",
                                payload={"month": L.MONTH.format(year=first.year, month=first.month),
                                         "count": mine.reviewed, "nonstandard": mine.nonstandard}, now=now)
        told += 1
    return told
