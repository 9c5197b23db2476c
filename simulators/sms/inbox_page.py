"""The simulator's inbox page: every SMS the platform delivered, newest first, filterable by number.

Plain HTML and CSS, refreshed by the browser every few seconds (the filter stays in the query string).
"""

from __future__ import annotations

from html import escape

from simulators.sms.platform import SentSms, local_time

REFRESH_SECONDS = 3
STATUS = {"DELIVERED": "已送达"}

_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{refresh}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>短信模拟器 · 收件箱</title>
<style>
body {{ font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 24px; color: #222; }}
h1 {{ font-size: 20px; margin: 0 0 4px; }}
p.hint {{ color: #666; font-size: 13px; margin: 0 0 16px; }}
form {{ margin-bottom: 16px; }}
input {{ padding: 6px 8px; font-size: 14px; width: 14em; }}
button, a.clear {{ padding: 6px 12px; font-size: 14px; margin-left: 4px; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
th, td {{ border-bottom: 1px solid #e5e5e5; padding: 8px; text-align: left; vertical-align: top; }}
th {{ background: #f6f6f6; white-space: nowrap; }}
td.time, td.phone, td.status {{ white-space: nowrap; }}
td.status {{ color: #1a7f37; }}
td.out-id {{ color: #666; font-family: monospace; }}
.empty {{ color: #888; padding: 24px 0; }}
</style></head><body>
<h1>短信模拟器 · 收件箱</h1>
<p class="hint">模拟阿里云短信服务收到并“送达”的短信，最新的在最前；页面每 {refresh} 秒自动刷新。</p>
<form method="get">
<label>手机号：<input name="phone" value="{phone}" placeholder="输入手机号筛选" inputmode="numeric"></label>
<button type="submit">筛选</button><a class="clear" href="?">全部</a>
</form>
{body}
</body></html>
"""


def inbox_html(messages: list[SentSms], phone: str = "") -> str:
    if messages:
        rows = "".join(
            f'<tr><td class="time">{escape(local_time(m.sent_at))}</td><td class="phone">{escape(m.phone)}</td>'
            f"<td>{escape(m.content)}</td><td class=\"out-id\">{escape(m.out_id) or '—'}</td>"
            f'<td class="status">{escape(STATUS.get(m.status, m.status))}</td></tr>'
            for m in messages)
        body = (f"<p>共 {len(messages)} 条</p><table><thead><tr><th>时间</th><th>手机号</th><th>内容</th>"
                f"<th>OutId</th><th>状态</th></tr></thead><tbody>{rows}</tbody></table>")
    else:
        body = f'<p class="empty">{"该手机号还没有收到短信" if phone else "还没有短信"}</p>'
    return _PAGE.format(refresh=REFRESH_SECONDS, phone=escape(phone), body=body)
