"""HTML of the phone simulator page: a follower's chat with the official account, its menu and text box.

Pure rendering, no JavaScript: every action is a plain form posting to the simulator's routes. Every piece of
user or app text goes through ``html.escape``; links in messages open through ``open_url`` (the simulator's
OAuth authorize route). Template messages look as WeChat shows them since 2023: the template's title,
"label: value" lines (no first / remark), and a "详情" link; titles and labels come from the platform's
template registry (``WechatPlatform.add_template``), raw keyword names only for an unregistered template.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from simulators.wechat.platform import ChatLine, Follower, QrCode, SentMessage, TemplateInfo

URL = re.compile(r"https?://[^\s<>\"'，。；）]+")
CSS = """
*{box-sizing:border-box}body{margin:0;font:15px/1.45 "WenQuanYi Micro Hei","PingFang SC",sans-serif;
background:#ededed;color:#191919}.phone{max-width:414px;min-height:100vh;margin:0 auto;display:flex;
flex-direction:column;background:#ededed}header{background:#f7f7f7;border-bottom:1px solid #d9d9d9;
padding:8px 10px}header h1{font-size:17px;margin:0 0 6px;text-align:center}header form{display:flex;gap:6px;
margin:4px 0}select,input[type=text]{flex:1;min-width:0;padding:6px;border:1px solid #ccc;border-radius:4px;
font-size:14px}button{padding:6px 10px;border:1px solid #ccc;border-radius:4px;background:#fff;font-size:14px}
button.primary{background:#07c160;border-color:#07c160;color:#fff}.status{font-size:13px;color:#666;
display:flex;justify-content:space-between;align-items:center}main{flex:1;padding:10px;overflow-y:auto}
.row{display:flex;margin:8px 0}.row.user{justify-content:flex-end}.row.system{justify-content:center}
.bubble{max-width:78%;padding:8px 10px;border-radius:6px;background:#fff;white-space:pre-wrap;
word-break:break-all}.user .bubble{background:#95ec69}.system .bubble,.event .bubble{background:none;
color:#888;font-size:12px;padding:2px}.card{width:88%;background:#fff;border-radius:6px;padding:12px}
.card h2{font-size:16px;margin:0 0 8px}.card dl{margin:0;font-size:14px}.card dt{color:#888;float:left;
clear:left;width:6em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.card dd{margin:0 0 4px 6.5em}
.card a.more{display:block;border-top:1px solid #eee;margin-top:8px;padding-top:8px;color:#191919;
text-decoration:none}.card a.more:after{content:" ›";float:right;color:#bbb}.empty{color:#888;
text-align:center;margin-top:40px}footer{background:#f7f7f7;border-top:1px solid #d9d9d9;position:sticky;
bottom:0}
.compose{display:flex;gap:6px;padding:8px}.menu{display:flex;border-top:1px solid #e5e5e5}
.menu>*{flex:1;text-align:center;border-left:1px solid #e5e5e5}.menu>*:first-child{border-left:none}
.menu summary{list-style:none;padding:10px 4px;cursor:pointer}.menu summary::-webkit-details-marker{display:none}
.menu details{position:relative}.menu details[open] summary{background:#e9e9e9}.menu ul{list-style:none;
margin:0 0 6px;padding:0;background:#fff;position:absolute;bottom:100%;left:6px;right:6px;border-radius:4px;
box-shadow:0 1px 6px rgba(0,0,0,.2)}.menu li button,.menu>form button{width:100%;border:none;border-radius:0;
background:none;padding:10px 4px}.menu li+li{border-top:1px solid #eee}.notice{background:#fff3cd;
padding:6px 10px;font-size:13px}
"""


@dataclass(frozen=True)
class PhoneView:
    """What one page shows; ``action`` and ``open_url`` turn route names and links into URLs."""

    followers: list[Follower]
    current: Follower | None
    lines: list[ChatLine]
    messages: list[SentMessage]
    menu: dict[str, Any]
    action: Callable[[str], str]
    open_url: Callable[[str, str], str]  # (openid, link) -> the simulator's URL that opens it
    templates: dict[str, TemplateInfo]  # template id -> title and keyword labels
    notice: str = ""
    qrcodes: list[QrCode] = field(default_factory=list)  # codes still valid, to "scan"


def render_page(view: PhoneView) -> str:
    title = f"{escape(view.current.nickname)} · 微信模拟器" if view.current else "微信模拟器"
    return ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{title}</title><style>{CSS}</style></head><body><div class=\"phone\">"
            f"{_header(view)}<main>{_chat(view)}</main>{_footer(view)}</div></body></html>")


def _header(view: PhoneView) -> str:
    options = "".join(
        f"<option value=\"{escape(f.openid)}\"{' selected' if f is view.current else ''}>"
        f"{escape(f.nickname)}（{escape(f.openid[:8])}…）</option>" for f in view.followers)
    chooser = (f"<form method=\"get\" action=\"{view.action('phone')}\"><select name=\"openid\" "
               f"aria-label=\"选择微信用户\">{options}</select><button>切换</button></form>") if options else ""
    adder = (f"<form method=\"post\" action=\"{view.action('phone_add_follower')}\"><input type=\"text\" "
             "name=\"nickname\" maxlength=\"20\" placeholder=\"新用户昵称\" aria-label=\"新用户昵称\">"
             "<button>添加用户</button></form>")
    status = ""
    if view.current:
        following = view.current.subscribed
        button = "取消关注" if following else "关注公众号"
        status = (f"<div class=\"status\"><span>{'已关注' if following else '未关注'}</span>"
                  f"<form method=\"post\" action=\"{view.action('phone_subscription')}\">"
                  f"{_hidden(view.current.openid)}<input type=\"hidden\" name=\"follow\" "
                  f"value=\"{'0' if following else '1'}\"><button{'' if following else ' class=primary'}>"
                  f"{button}</button></form></div>")
    notice = f"<div class=\"notice\">{escape(view.notice)}</div>" if view.notice else ""
    return f"<header><h1>清零 · 公众号</h1>{chooser}{adder}{status}{_scanner(view)}</header>{notice}"


def _scanner(view: PhoneView) -> str:
    """Scanning one of the QR codes the app created (e.g. shown on a web page to bind this WeChat)."""
    if view.current is None or not view.qrcodes:
        return ""
    options = "".join(f"<option value=\"{escape(code.ticket)}\">"
                      f"{escape(str(code.scene.get('scene_str') or code.scene.get('scene_id')))}</option>"
                      for code in view.qrcodes)
    return (f"<form method=\"post\" action=\"{view.action('phone_scan')}\">{_hidden(view.current.openid)}"
            f"<select name=\"ticket\" aria-label=\"二维码\">{options}</select><button>扫一扫</button></form>")


def _chat(view: PhoneView) -> str:
    if view.current is None:
        return "<p class=\"empty\">请先添加一位微信用户</p>"
    openid = view.current.openid
    items: list[tuple[float, int, str]] = []
    for order, line in enumerate(view.lines):
        items.append((line.at, order, _line(view, openid, line)))
    for order, message in enumerate(view.messages, start=len(items)):
        items.append((message.sent_at, order, _message(view, openid, message)))
    if not items:
        return "<p class=\"empty\">还没有消息，试试下方菜单或发一句话</p>"
    return "".join(html for _, _, html in sorted(items)) + "<div id=\"latest\"></div>"


def _line(view: PhoneView, openid: str, line: ChatLine) -> str:
    side = {"user": "user", "account": "account"}.get(line.sender, "system")
    extra = " event" if line.kind == "event" else ""
    return (f"<div class=\"row {side}{extra}\"><div class=\"bubble\">"
            f"{_linked(view, openid, line.content)}</div></div>")


def _message(view: PhoneView, openid: str, message: SentMessage) -> str:
    body = message.body
    if message.kind == "template":
        return _template_card(view, openid, body)
    kind = body.get("msgtype")
    content = (body.get("text") or {}).get("content", "") if kind == "text" else f"[{kind}]"
    return f"<div class=\"row account\"><div class=\"bubble\">{_linked(view, openid, str(content))}</div></div>"


def _template_card(view: PhoneView, openid: str, body: dict[str, Any]) -> str:
    template = view.templates.get(str(body.get("template_id")))
    title = template.title if template else "模板消息"
    labels = template.keywords if template else {}
    data = body.get("data")
    if not isinstance(data, dict):
        data = {}
    fields = "".join(
        f"<dt>{escape(labels.get(key) or str(key))}</dt><dd>{escape(str(item.get('value', '')))}</dd>"
        for key, item in data.items() if key not in ("first", "remark") and isinstance(item, dict))
    url = body.get("url")
    more = (f"<a class=\"more\" href=\"{escape(view.open_url(openid, url))}\">详情</a>"
            if isinstance(url, str) and URL.fullmatch(url) else "")
    return (f"<div class=\"row account\"><div class=\"card\"><h2>{escape(title)}</h2><dl>{fields}</dl>"
            f"{more}</div></div>")


def _linked(view: PhoneView, openid: str, text: str) -> str:
    """Escaped text with its http(s) links turned into links that open through OAuth."""
    out, last = [], 0
    for found in URL.finditer(text):
        out.append(escape(text[last:found.start()]))
        link = found.group(0)
        out.append(f"<a href=\"{escape(view.open_url(openid, link))}\">{escape(link)}</a>")
        last = found.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _footer(view: PhoneView) -> str:
    if view.current is None:
        return ""
    openid = view.current.openid
    compose = (f"<form class=\"compose\" method=\"post\" action=\"{view.action('phone_send')}\">{_hidden(openid)}"
               "<input type=\"text\" name=\"content\" maxlength=\"600\" required placeholder=\"发消息\" "
               "aria-label=\"消息内容\"><button class=\"primary\">发送</button></form>")
    return f"<footer>{compose}<nav class=\"menu\">{''.join(_top(view, openid, b) for b in _buttons(view))}</nav>" \
           "</footer>"


def _buttons(view: PhoneView) -> list[dict[str, Any]]:
    buttons = view.menu.get("button")
    return [b for b in buttons if isinstance(b, dict)] if isinstance(buttons, list) else []


def _top(view: PhoneView, openid: str, button: dict[str, Any]) -> str:
    subs = button.get("sub_button")
    if not isinstance(subs, list):
        return _tap_form(view, openid, button)
    items = "".join(f"<li>{_tap_form(view, openid, sub)}</li>" for sub in subs if isinstance(sub, dict))
    return f"<details><summary>{escape(str(button.get('name', '')))}</summary><ul>{items}</ul></details>"


def _tap_form(view: PhoneView, openid: str, button: dict[str, Any]) -> str:
    kind = str(button.get("type", ""))
    target = str(button.get("url") if kind == "view" else button.get("key", ""))
    return (f"<form method=\"post\" action=\"{view.action('phone_menu')}\">{_hidden(openid)}"
            f"<input type=\"hidden\" name=\"type\" value=\"{escape(kind)}\">"
            f"<input type=\"hidden\" name=\"target\" value=\"{escape(target)}\">"
            f"<input type=\"hidden\" name=\"name\" value=\"{escape(str(button.get('name', '')))}\">"
            f"<button>{escape(str(button.get('name', '')))}</button></form>")


def _hidden(openid: str) -> str:
    return f"<input type=\"hidden\" name=\"openid\" value=\"{escape(openid)}\">"
