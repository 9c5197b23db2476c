"""The simulated single-window login page (中国国际贸易单一窗口 · 中央标准版), self-contained HTML."""

from __future__ import annotations

from html import escape

STYLE = """
body{margin:0;font:16px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#eef3f8;color:#1f2d3d}
header{background:#0b4f9c;color:#fff;padding:14px 18px;font-weight:600}
main{max-width:420px;margin:20px auto;padding:0 16px}
.card{background:#fff;border-radius:8px;padding:20px;box-shadow:0 1px 4px rgba(0,0,0,.08)}
label{display:block;margin:12px 0 4px;font-size:14px;color:#4a5a6a}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:10px;border:1px solid #c8d3de;
border-radius:4px;font-size:16px}
button{width:100%;margin-top:18px;padding:11px;border:0;border-radius:4px;font-size:16px;background:#0b4f9c;
color:#fff}
button.link{background:none;color:#0b4f9c;margin-top:8px}
.error{color:#c62828;font-size:14px;margin-top:10px}
.note{font-size:13px;color:#6b7b8c;margin-top:16px}
"""


def _shell(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title>'
            f"<style>{STYLE}</style></head><body><header>中国国际贸易单一窗口 · 统一身份认证（模拟）</header>"
            f"<main>{body}</main></body></html>")


def login_page(params: dict[str, str], *, error: str = "", username: str = "") -> str:
    hidden = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in params.items())
    problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        '<div class="card"><h1 style="font-size:20px;margin:0 0 4px">单一窗口账号登录</h1>'
        '<p class="note" style="margin-top:0">登录后将返回“清零”平台，并向其提供您的姓名、手机号和所属企业。</p>'
        f'<form method="post" action="authorize">{hidden}'
        '<label for="username">用户名</label>'
        f'<input id="username" name="username" type="text" autocomplete="username" value="{escape(username)}">'
        '<label for="password">密码</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password">'
        f'{problem}<button type="submit" name="action" value="login">登录</button>'
        '<button class="link" type="submit" name="action" value="cancel">取消</button></form>'
        '<p class="note">这是本地模拟的身份认证服务，仅用于演示和测试。</p></div>'
    )
    return _shell("单一窗口账号登录", body)


def error_page(message: str) -> str:
    return _shell("无法登录", f'<div class="card"><h1 style="font-size:20px">无法登录</h1>'
                            f'<p class="error">{escape(message)}</p></div>')
