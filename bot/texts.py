"""Every text the bot sends, in one place (Simplified Chinese)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from services.questions.status_lookup import QuestionStatus

WELCOME = ("您好，欢迎关注{district}“清零”问答服务！\n"
           "首次使用请先绑定账号：{base}/h5/bind\n"
           "绑定后可在线提问、查看问题进度，也可直接发送问题编号查询处理状态。")


@dataclass(frozen=True)
class LinkCard:
    """A menu click's answer: one link card (WeChat's news reply) — a title, a short text and the page."""

    title: str
    description: str
    path: str

    def url(self, public_url: str) -> str:
        return public_url.rstrip("/") + self.path


ASK = LinkCard("我要提问", "在线向海关提问，点击进入提问页面。尚未绑定账号的请先绑定。", "/h5/ask")
MY_QUESTIONS = LinkCard("我的问题", "查看问题进度、评价与追加。也可直接发送 24 位问题编号查询处理状态。",
                        "/h5/questions")
PUBLIC_QUESTIONS = LinkCard("已公开问题", "查看已公开的问题与海关答复。", "/h5/public")
BIND = LinkCard("绑定账号", "验证手机号，将此微信与企业账号绑定，之后打开页面自动登录。", "/h5/bind")
HELP = ("“清零”问答服务使用帮助：\n"
        "1. 我要提问：{base}/h5/ask\n"
        "2. 我的问题：{base}/h5/questions\n"
        "3. 已公开问题：{base}/h5/public\n"
        "4. 绑定账号：{base}/h5/bind\n"
        "发送 24 位问题编号（统一社会信用代码 + 年份 + 序号）可查询问题的处理状态。")
BIND_DONE = "绑定成功！{name}，您好，以后在公众号中打开页面将自动登录。"
BIND_QR_EXPIRED = "该绑定二维码已失效或已被使用，请在网页上重新生成。"
CUSTOMS_BIND_DONE = "绑定成功！{name}，您所在部门有新问题提交时，将在这里收到提醒。"
NOT_FOUND = "未找到该问题或您无权查看"
BUSY = "系统繁忙，请稍后再试"
QUESTION_STATUS = "问题编号：{number}\n标题：{title}\n当前状态：{status}"
LAST_STEP = "\n最新进展：{when} {actor} {action}"


def link_text(template: str, public_url: str, **values: str) -> str:
    return template.format(base=public_url.rstrip("/"), **values)


def render_question_status(found: QuestionStatus, tz: ZoneInfo) -> str:
    text = QUESTION_STATUS.format(number=found.number, title=found.title, status=found.status.label)
    if found.last_at is None:
        return text
    when = _local(found.last_at, tz).strftime("%Y-%m-%d %H:%M")
    return text + LAST_STEP.format(when=when, actor=found.last_actor, action=found.last_action)


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz)
