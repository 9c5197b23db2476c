"""The official-account menu as data, and the JSON body of WeChat's 自定义菜单创建接口 (POST /cgi-bin/menu/create:
a ``button`` list of click / view / miniprogram buttons, each top-level one optionally with a ``sub_button`` list).

``qingling wechat push-menu`` posts ``menu_definition()`` through the WeChat API adapter.
Every click key here has a handler in bot/handlers.py (a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ASK = "QINGLING_ASK"
MY_QUESTIONS = "QINGLING_MY_QUESTIONS"
PUBLIC_QUESTIONS = "QINGLING_PUBLIC_QUESTIONS"
BIND = "QINGLING_BIND"
HELP = "QINGLING_HELP"


@dataclass(frozen=True)
class Button:
    name: str
    key: str  # click buttons only: the reply comes from the bot with the right H5 link


@dataclass(frozen=True)
class TopButton:
    name: str
    sub_buttons: tuple[Button, ...]


MENU: tuple[TopButton, ...] = (
    TopButton("问题咨询", (Button("我要提问", ASK), Button("我的问题", MY_QUESTIONS))),
    TopButton("公开问答", (Button("已公开问题", PUBLIC_QUESTIONS),)),
    TopButton("账号帮助", (Button("绑定账号", BIND), Button("帮助", HELP))),
)


def menu_definition(menu: tuple[TopButton, ...] = MENU) -> dict[str, Any]:
    """The menu/create request body: ``{"button": [{"name", "sub_button": [{"type", "name", "key"}]}]}``."""
    return {"button": [
        {"name": top.name,
         "sub_button": [{"type": "click", "name": b.name, "key": b.key} for b in top.sub_buttons]}
        for top in menu
    ]}
