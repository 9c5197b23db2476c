"""core/query_sql.py, the one place below tortoise's awaitable API: pinned on SQLite and PostgreSQL — the SQL it
renders has the connection's placeholders, the raw rows it fetches are the ORM's rows, the instances it builds
from hand-written SQL are the ORM's instances, the plain values it converts are the instances' values, and a
compiled query is built once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.models import Model
from tortoise.queryset import ValuesListQuery

from core.db import connection, dialect
from core.query_sql import fetch_compiled, fetch_raw, parameterized, python_values, rows
from models.customs_accounts import CustomsAccount
from models.enterprises import Enterprise, MemberRole, Membership
from models.questions import Question
from services.kit.access import access_customs_account, access_membership, active_executives, begin_request_reads
from services.kit.context import ServiceContext
from services.questions.asking import create_draft, submit_question
from tests.factories import World

ctx = ServiceContext()


async def test_the_rendered_sql_has_the_connections_placeholders_and_the_parameters(world: World) -> None:
    sql, params = parameterized(Enterprise.filter(name__icontains="贸易", id__gt=0).order_by("id").limit(7)
                                .values_list("id", "name"))
    marks = ("$1", "$2") if dialect() == "postgres" else ("?", "?")
    assert sql.startswith("SELECT") and all(mark in sql for mark in marks) and '"enterprise"' in sql
    assert "%贸易%" in params and 0 in params and 7 in params


async def test_raw_rows_are_the_orms_rows_unconverted(world: World) -> None:
    for title in ("第一个问题", "第二个问题"):
        q = await create_draft(ctx, world.solo_staff, world.solo.id, world.form(title))
        await submit_question(ctx, world.solo_staff, q.id)
    query = Question.filter(enterprise_id=world.solo.id).order_by("id").values_list("id", "title", "submitted_at")
    orm = await query
    raw = await fetch_raw(Question.filter(enterprise_id=world.solo.id).order_by("id")
                          .values_list("id", "title", "submitted_at"))
    assert [(r[0], r[1]) for r in raw] == [(o[0], o[1]) for o in orm] and len(raw) == 2
    # unconverted: asyncpg gives aware datetimes, SQLite the ISO text tortoise stored
    times = [r[2] if isinstance(r[2], datetime) else datetime.fromisoformat(r[2]) for r in raw]
    assert times == [o[2] for o in orm]
    assert isinstance(raw[0][2], datetime) == (dialect() == "postgres")


def fields_of(instance: Model) -> dict[str, object]:
    return {name: getattr(instance, name) for name in instance._meta.db_fields}


async def test_hand_written_rows_build_the_instances_the_orm_builds(world: World) -> None:
    begin_request_reads(False)  # no memo: a fresh load
    built = await access_membership(world.executive.person_id, world.acme.id, connection())
    orm = await (Membership.filter(person_id=world.executive.person_id, enterprise_id=world.acme.id)
                 .select_related("person", "enterprise").get())
    assert fields_of(built) == fields_of(orm) and built.id == orm.id
    assert fields_of(built.person) == fields_of(orm.person) and built.person.name == orm.person.name
    assert fields_of(built.enterprise) == fields_of(orm.enterprise)
    assert isinstance(built.created_at, datetime) and built.created_at.tzinfo is not None
    account = await access_customs_account(world.officer.account_id, connection())
    orm_account = await CustomsAccount.filter(id=world.officer.account_id).select_related("office").get()
    assert fields_of(account) == fields_of(orm_account) and account.office.path == orm_account.office.path


async def test_plain_values_of_hand_written_rows_are_the_instances_values(world: World) -> None:
    # text, a nullable text, an enum, a boolean, an aware time: each dialect's driver gives some of them raw
    columns = ["created_at", "credit_code", "customs_code", "exec_review_required", "id", "name", "status"]
    assert sorted(Enterprise._meta.db_fields) == columns  # a new column joins the comparison
    values = python_values(Enterprise, columns)
    found = [values(row) for row in await rows(f"SELECT {', '.join(columns)} FROM enterprise ORDER BY id")]
    expected = [[getattr(e, c) for c in columns] for e in await Enterprise.all().order_by("id")]
    assert found == expected and len(found) >= 2
    assert [[type(v) for v in row] for row in found] == [[type(v) for v in row] for row in expected]
    assert isinstance(found[0][0], datetime) and found[0][0].tzinfo is not None


async def test_a_reading_request_gets_the_executives_with_the_membership_in_one_statement(world: World) -> None:
    begin_request_reads(True)
    await access_membership(world.staff.person_id, world.acme.id, connection())
    with_membership = await active_executives(connection(), world.acme.id)  # from the memo
    begin_request_reads(False)
    alone = await active_executives(connection(), world.acme.id)
    expected = [(m.person_id, m.person.name) for m in await Membership.filter(
        enterprise_id=world.acme.id, role=MemberRole.EXECUTIVE, active=True).select_related("person")
        .order_by("person_id")]
    assert [(e.person_id, e.name) for e in with_membership] == [(e.person_id, e.name) for e in alone] == expected
    assert len(expected) == 2
    assert await active_executives(connection(), world.solo.id) == ()


async def test_a_compiled_query_is_built_once_per_key_and_reads_the_orms_rows(world: World) -> None:
    builds = []

    def build() -> ValuesListQuery[Any]:
        builds.append(1)
        return Enterprise.filter(id__in=[world.acme.id, world.solo.id]).order_by("id").values_list("id", "name")

    first = await fetch_compiled(("test", world.acme.id), build)
    again = await fetch_compiled(("test", world.acme.id), build)
    orm = await build()
    assert [tuple(r) for r in first] == [tuple(r) for r in again] == [tuple(r) for r in orm] and len(orm) == 2
    assert len(builds) == 2  # once compiled, once for the ORM's own run
