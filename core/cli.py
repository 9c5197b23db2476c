"""`qingling`: serve, worker, demo, db upgrade / status / makemigrations, load-data, create-customs-user."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial
from typing import Any

from tqdm import tqdm

from adapters.wechat_api import WechatApiError
from core.config import ConfigError, Settings, load_settings
from core.db import UnmigratedDatabase, database, ensure_migrated, make_migrations, pending_migrations, upgrade
from core.logs import setup_logging
from core.serving import Stopped, stop_on_signals
from models.customs_accounts import CustomsRole
from models.errors import DomainError
from services.kit.context import ServiceContext


class CommandFailed(Exception):
    """A command cannot go on; the message is printed as one line."""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    stop_on_signals()
    try:
        settings = load_settings()
        setup_logging(settings.logging.level)
        return args.run(settings, args) or 0
    except ConfigError as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        return 2
    except (CommandFailed, UnmigratedDatabase, DomainError, WechatApiError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except Stopped:
        return 0  # stopped as asked (SIGTERM)
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qingling", description="清零 — 关企问题清零服务")
    sub = parser.add_subparsers(required=True, metavar="command")
    sub.add_parser("serve", help="启动 Web 服务（先检查数据库已迁移）").set_defaults(run=cmd_serve)
    worker = sub.add_parser("worker", help="启动定时任务进程（自动办结、提醒）")
    worker.add_argument("--once", action="store_true", help="每个任务只运行一次后退出")
    worker.set_defaults(run=cmd_worker)
    demo = sub.add_parser("demo", help="演示：SQLite + 进程内缓存 + 模拟器，准备演示数据并启动")
    demo.add_argument("--no-serve", action="store_true", help="只准备数据，不启动服务")
    demo.add_argument("--reset", action="store_true", help="清空演示数据库，从头准备演示数据")
    demo.set_defaults(run=cmd_demo)
    db = sub.add_parser("db", help="数据库迁移").add_subparsers(required=True, metavar="action")
    db.add_parser("upgrade", help="应用全部迁移").set_defaults(run=cmd_db_upgrade)
    db.add_parser("status", help="列出尚未应用的迁移").set_defaults(run=cmd_db_status)
    make = db.add_parser("makemigrations", help="（开发用）根据模型变化生成迁移")
    make.add_argument("--name", default=None)
    make.set_defaults(run=cmd_db_makemigrations)
    wechat = sub.add_parser("wechat", help="微信公众号").add_subparsers(required=True, metavar="action")
    wechat.add_parser("push-menu", help="把 bot/menu.py 中的自定义菜单推送到公众号").set_defaults(run=cmd_push_menu)
    load = sub.add_parser("load-data", help="导入参考数据（关区、部门、问题类型、业务类别、权限、商品目录与代码表）")
    load.add_argument("--catalogue", default=None, help="再导入一版商品目录（CSV，格式同 data/ 中的目录文件）")
    load.add_argument("--version", default=None, help="该版目录的版本号，如 2027")
    load.add_argument("--effective-from", default=None, help="生效日期 YYYY-MM-DD（默认版本号年份的1月1日）")
    load.set_defaults(run=cmd_load_data)
    user = sub.add_parser("create-customs-user", help="创建海关账号（如第一个管理员）")
    user.add_argument("--username", required=True)
    user.add_argument("--name", required=True, help="姓名")
    user.add_argument("--office", required=True, help="所属海关或部门代码，如 0900")
    user.add_argument("--role", choices=[r.value for r in CustomsRole], default=CustomsRole.ADMIN.value)
    user.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（脚本用）")
    user.set_defaults(run=cmd_create_customs_user)
    return parser


def run_with_database(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    async def wrapped() -> Any:
        async with database(settings.database):
            return await work()

    return asyncio.run(wrapped())


def check_migrated(settings: Settings) -> None:
    run_with_database(settings, ensure_migrated)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from core.serving import serve

    check_migrated(settings)
    serve(settings)
    return 0


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    from scheduler.worker import run_worker

    asyncio.run(run_worker(settings, once=args.once))
    return 0


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    async def work() -> list[str]:
        try:
            return await upgrade(settings.database)
        finally:
            from core.db import close_database

            await close_database()

    applied = asyncio.run(work())
    print(f"已应用 {len(applied)} 个迁移：{', '.join(applied)}" if applied else "数据库已是最新")
    return 0


def cmd_db_status(settings: Settings, args: argparse.Namespace) -> int:
    pending = run_with_database(settings, pending_migrations)
    print("未应用的迁移：" + ", ".join(pending) if pending else "数据库已是最新")
    return 1 if pending else 0


def cmd_db_makemigrations(settings: Settings, args: argparse.Namespace) -> int:
    created = asyncio.run(make_migrations(settings.database, args.name))
    print("\n".join(str(p) for p in created) or "模型没有变化")
    return 0


def cmd_push_menu(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.wechat_api import wechat_api_for
    from bot.menu import menu_definition
    from core.cache import make_cache

    async def work() -> None:
        cache = make_cache(settings.cache)
        api = wechat_api_for(settings, cache)  # the deployment's one access_token, not a token of its own
        try:
            async with database(settings.database):
                await ensure_migrated()
                await api.create_menu(menu_definition())
        finally:
            await api.aclose()
            await cache.close()

    asyncio.run(work())
    print("自定义菜单已推送")
    return 0


def cmd_load_data(settings: Settings, args: argparse.Namespace) -> int:
    from services.desk.reference_data import load_reference_data

    bar = tqdm(desc="导入关区、部门与权限", unit="条", disable=None)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    async def work() -> Any:
        await ensure_migrated()
        return await load_reference_data(settings.district.accepting_office_codes, progress=progress)

    report = run_with_database(settings, work)
    bar.close()
    print(f"已导入：关区与部门 {report.offices} 个，问题类型 {report.question_types} 个，"
          f"业务类别 {report.business_categories} 个，权限 {report.permissions} 项")
    load_library_data(settings, args)
    return 0


def load_library_data(settings: Settings, args: argparse.Namespace) -> None:
    """The declaration-standard library's HS catalogue and code tables (set-based; a second run changes nothing),
    and another catalogue version when ``--catalogue`` names one (the worker then re-checks the stored rows once
    it is in effect)."""
    from pathlib import Path

    from services.library.reference import CatalogueSource, load_library_reference

    extra: tuple[CatalogueSource, ...] = ()
    if args.catalogue or args.version:
        if not (args.catalogue and args.version):
            raise ValueError("--catalogue 与 --version 须同时给出")
        label = str(args.version)
        if args.effective_from:
            effective = date.fromisoformat(args.effective_from)
        elif label.isdigit() and len(label) == 4:
            effective = date(int(label), 1, 1)
        else:
            raise ValueError("版本号不是年份时须给出 --effective-from")
        extra = (CatalogueSource(label, f"{label}年进出口税则商品编码及申报要素", effective,
                                 str(Path(args.catalogue).resolve())),)

    bar = tqdm(desc="导入商品目录与代码表", unit="条", disable=None)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    report = run_with_database(settings, lambda: load_library_reference(
        ServiceContext.from_settings(settings.lifecycle), progress=progress, extra=extra))
    bar.close()
    print(f"已导入：商品目录 {report.catalogues} 版共 {report.hs_codes} 个商品编号，"
          f"代码表 {report.code_tables} 张共 {report.code_items} 项")
    if extra:
        recheck_library_now(settings, extra[0].code, extra[0].effective_from)


def recheck_library_now(settings: Settings, code: str, effective: date) -> None:
    """A catalogue already in effect: re-check the stored rows now (the worker's job, under its lock; nothing
    when it was done) and tell each enterprise of its changed codes. One not yet in effect: the worker will."""
    from core.cache import make_cache
    from scheduler.jobs import library_recheck_job

    ctx = ServiceContext.from_settings(settings.lifecycle)
    if effective > ctx.now().astimezone(ctx.tz).date():
        print(f"{code} 版目录自 {effective} 起生效；生效后 worker 将按其重新校验规范申报库数据并通知相关企业")
        return
    bar = tqdm(desc="按新版目录重新校验规范申报库", unit="章", disable=None)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    async def work() -> Any:
        cache = make_cache(settings.cache)
        try:
            return await library_recheck_job(ctx, cache, settings.scheduler.lock_ttl_seconds, progress=progress)
        finally:
            await cache.close()

    report = run_with_database(settings, work)
    bar.close()
    if report is None:
        print(f"{code} 版目录已生效，规范申报库数据此前已按其校验")
    else:
        print(f"已按 {report.version} 版目录重新校验：{report.changed_codes} 个商品编号申报要素有变化，"
              f"{report.rows} 条数据已校验，已通知 {report.enterprises_told} 家企业")


def cmd_create_customs_user(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.kit.bodies import MSG_PASSWORDS_DIFFER
    from services.accounts.customs_accounts import create_customs_account

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("密码：")
        if getpass.getpass("再次输入密码：") != password:
            raise CommandFailed(MSG_PASSWORDS_DIFFER)

    async def work() -> Any:
        await ensure_migrated()
        return await create_customs_account(
            ServiceContext.from_settings(settings.lifecycle), username=args.username, name=args.name,
            office_code=args.office, role=CustomsRole(args.role), password=password, created_by="cli")

    account = run_with_database(settings, work)
    print(f"已创建海关账号 {account.username}（{args.role}）")
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    """The embedded default: SQLite file, in-process cache, simulators on, demo data, then serve."""
    from core.demo import print_banner, seed_everything
    from core.demo_config import demo_settings, reset_demo_database

    if args.reset:
        reset_demo_database()
    settings = demo_settings(settings)
    cmd_db_upgrade(settings, args)
    logins = run_with_database(settings, partial(seed_everything, settings))
    print_banner(settings, logins)
    if args.no_serve:
        return 0
    return cmd_serve(settings, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
