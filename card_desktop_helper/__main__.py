"""``qingling-card-helper``: run the desktop card helper, or look at its readers and pairing token.

    qingling-card-helper serve [--config FILE] [--port N] [--allow-origin URL]...
    qingling-card-helper readers
    qingling-card-helper token [--config FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from card_desktop_helper import PYSCARD_REQUIREMENT
from card_desktop_helper import settings as helper_settings

if TYPE_CHECKING:
    from card_desktop_helper.server import HelperServer

MSG_NO_PYSCARD = ("缺少读卡组件 pyscard。请按《读卡助手安装说明》第 3 步，在命令提示符中运行：\n"
                  f'    py -m pip install "{PYSCARD_REQUIREMENT}"\n然后重新运行读卡助手。')
MSG_PORT_TAKEN = "读卡助手已经在运行（端口 {port} 已被占用），无需重复启动；如需重启，请先关闭原来的窗口。"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="qingling-card-helper", description="清零 读卡助手（IC卡 / IKey）")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "readers", "token"])
    parser.add_argument("--config", type=Path, help="配置文件路径")
    parser.add_argument("--port", type=int, help="监听端口（仅 127.0.0.1）")
    parser.add_argument("--allow-origin", action="append", default=[], help="允许调用的网站地址，可重复")
    args = parser.parse_args(argv)
    settings = helper_settings.load(args.config)
    if args.allow_origin:
        merged = tuple(dict.fromkeys([*settings.allowed_origins, *(o.rstrip("/") for o in args.allow_origin)]))
        settings = dataclasses.replace(settings, allowed_origins=merged)
        settings.save()
    if args.command == "token":
        print(settings.pairing_token)
        return 0
    try:  # only now: --help, token and this message need no pyscard
        from card_desktop_helper.card_reader import CardError, list_readers
        from card_desktop_helper.server import HelperServer
    except ImportError:
        return _stop(MSG_NO_PYSCARD)
    if args.command == "readers":
        try:
            names = list_readers()
        except CardError as error:
            print(error.message)
            return 1
        print("\n".join(names) if names else "未检测到读卡器")
        return 0
    try:
        server = HelperServer(settings, args.port)
    except OSError:
        return _stop(MSG_PORT_TAKEN.format(port=settings.port if args.port is None else args.port))
    return _serve(server)


def _stop(message: str) -> int:
    """Say what is wrong; keep a double-clicked window open on Windows long enough to read it."""
    print(message, flush=True)
    if sys.platform == "win32" and sys.stdin is not None and sys.stdin.isatty():
        input("按回车键关闭本窗口")
    return 1


def _serve(server: HelperServer) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    settings = server.settings
    print(f"读卡助手已启动：http://127.0.0.1:{server.server_address[1]}", flush=True)
    print(f"配对码：{settings.pairing_token}（首次在网站上使用卡介质时填写）", flush=True)
    print(f"允许的网站：{', '.join(settings.allowed_origins) or '（无）'}", flush=True)
    print("使用 IC 卡 / IKey 期间请不要关闭本窗口。", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
