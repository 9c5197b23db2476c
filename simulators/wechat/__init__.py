"""A local WeChat platform: the official-account and mini-program APIs the app calls, in memory.

``platform.WechatPlatform`` holds the state (followers, tokens, sent messages, faults);
``api.blueprint`` serves it over HTTP with WeChat's wire protocol under ``/sim/wechat``.
"""
