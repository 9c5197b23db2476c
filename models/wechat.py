"""What the app keeps about its WeChat account: claims of pushed messages, and the one access_token.

``WechatPushClaim`` makes a pushed message be handled once: the callback inserts its key in the handler's
own transaction, so the claim and the handler's writes commit (or roll back) together, whatever the cache
does. ``WechatAccessToken`` is the account's one access_token when no shared cache holds it (the embedded
default: the web process and the worker share the database, not an in-process cache).
"""

from tortoise import fields
from tortoise.models import Model


class WechatPushClaim(Model):
    key = fields.CharField(max_length=160, primary_key=True)  # bot.dedupe.dedupe_key
    claimed_at = fields.DatetimeField(db_index=True)  # old claims are swept (scheduler/jobs.py)

    class Meta:
        table = "wechat_push_claim"


class WechatAccessToken(Model):
    app_id = fields.CharField(max_length=64, primary_key=True)
    token = fields.TextField(default="")  # WeChat: store at least 512 characters
    expires_at = fields.DatetimeField(null=True)  # our refresh time, before WeChat's own expiry
    refreshing_until = fields.DatetimeField(null=True)  # a fetch in progress (a lease: its holder may die)

    class Meta:
        table = "wechat_access_token"
