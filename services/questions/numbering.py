"""Question numbers: credit code + 2-digit year + 4-digit sequence per enterprise and year.

The counter row is incremented inside the creating transaction: on PostgreSQL the row lock serialises
concurrent creators of one enterprise, on SQLite the database lock does; numbers never repeat.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient

from core.db import execute, fetch
from models.enterprises import Enterprise
from models.errors import Conflict

MAX_PER_YEAR = 9999


def format_number(credit_code: str, year: int, sequence: int) -> str:
    return f"{credit_code}{year % 100:02d}{sequence:04d}"


async def next_question_number(conn: BaseDBAsyncClient, enterprise: Enterprise, now: datetime, tz: ZoneInfo) -> str:
    year = now.astimezone(tz).year
    await execute(conn, "INSERT INTO question_number_sequence (enterprise_id, year, last_number) VALUES (?, ?, 0) "
                        "ON CONFLICT (enterprise_id, year) DO NOTHING", enterprise.id, year)
    await execute(conn, "UPDATE question_number_sequence SET last_number = last_number + 1 "
                        "WHERE enterprise_id = ? AND year = ?", enterprise.id, year)
    rows = await fetch(conn, "SELECT last_number FROM question_number_sequence WHERE enterprise_id = ? AND year = ?",
                       enterprise.id, year)
    sequence = rows[0]["last_number"]
    if sequence > MAX_PER_YEAR:
        raise Conflict(f"本企业 {year} 年的问题编号已用完（每年最多 {MAX_PER_YEAR} 个）")
    return format_number(enterprise.credit_code, year, sequence)
