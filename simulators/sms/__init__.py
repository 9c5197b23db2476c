"""A local Alibaba Cloud SMS (Dysmsapi 2017-05-25): the RPC API the official SDK calls, plus an inbox page.

``api.blueprint_for(settings.sms)`` serves it: point ``sms.endpoint`` at the site that mounts it.
"""
