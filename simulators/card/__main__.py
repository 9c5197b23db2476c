"""Insert a demo card into pcscd's virtual reader and run the desktop helper beside it (``make demo`` prints this).

    python -m simulators.card [--folder var/card-demo] [--card legal_person|operator] [--pin 123456]

Needs pcscd with vsmartcard-vpcd; started here (``pcscd -f``) when it is not running and this runs as root.
Ctrl-C pulls the card out and stops the helper (and the pcscd started here).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import threading
import time
from pathlib import Path

from card_desktop_helper import settings as helper_settings
from card_desktop_helper.card_reader import CardError, list_readers
from card_desktop_helper.server import HelperServer
from core.demo_config import CARD_DEMO
from simulators.card.applet import CardApplet
from simulators.card.demo import CARDS, DEMO_PIN
from simulators.card.pki import load_card
from simulators.card.vpcd import InsertedCard


def _pcscd_up() -> bool:
    try:
        return any(name.startswith("Virtual PCD") for name in list_readers())
    except CardError:
        return False


def _ensure_pcscd() -> subprocess.Popen[bytes] | None:
    if _pcscd_up():
        return None
    if shutil.which("pcscd") is None:
        raise SystemExit("未安装 pcscd / vsmartcard-vpcd：请以 root 运行 make system-packages")
    try:
        process = subprocess.Popen(["pcscd", "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except PermissionError:
        raise SystemExit("pcscd 未运行，且只有 root 能启动它：请以 root 运行 pcscd -f") from None
    for _ in range(100):
        if _pcscd_up():
            return process
        time.sleep(0.1)
    process.terminate()
    raise SystemExit("pcscd 启动失败（以 root 运行？）")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators.card", description="演示用虚拟 IC 卡 + 读卡助手")
    parser.add_argument("--folder", type=Path, default=CARD_DEMO)
    parser.add_argument("--card", choices=sorted(CARDS), default="legal_person")
    parser.add_argument("--pin", default=DEMO_PIN)
    args = parser.parse_args()
    if not (args.folder / args.card).exists():
        raise SystemExit(f"{args.folder} 中没有演示卡：请先运行 qingling demo")
    pcscd = _ensure_pcscd()
    card = load_card(args.folder / args.card)
    inserted = InsertedCard(CardApplet(card, pin=args.pin))
    settings = helper_settings.load(args.folder / "helper.json")
    server = HelperServer(settings)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"已插入虚拟卡：{card.identity.holder_name}（{'法人卡' if args.card == 'legal_person' else '操作员卡'}），"
          f"卡密码 {args.pin}")
    print(f"读卡助手：http://127.0.0.1:{settings.port}  配对码：{settings.pairing_token}")
    print("按 Ctrl-C 拔卡并退出")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        inserted.pull()
        server.shutdown()
        if pcscd is not None:
            pcscd.terminate()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
