"""``qingling-card-helper``: run the desktop card helper, or look at its readers and pairing token.

    qingling-card-helper serve [--config FILE] [--port N] [--allow-origin URL]...
    qingling-card-helper readers
    qingling-card-helper token [--config FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path

from card_desktop_helper import settings as helper_settings
from card_desktop_helper.card_reader import CardError, list_readers
from card_desktop_helper.server import HelperServer


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
    if args.command == "readers":
        try:
            names = list_readers()
        except CardError as error:
            print(error.message)
            return 1
        print("\n".join(names) if names else "未检测到读卡器")
        return 0
    return _serve(settings, args.port)


def _serve(settings: helper_settings.HelperSettings, port: int | None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    server = HelperServer(settings, port)
    print(f"读卡助手已启动：http://127.0.0.1:{server.server_address[1]}", flush=True)
    print(f"配对码：{settings.pairing_token}（首次在网站上使用卡介质时填写）", flush=True)
    print(f"允许的网站：{', '.join(settings.allowed_origins) or '（无）'}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
