"""Template messages: one definition per notification event, rendered under WeChat's 2023 rules."""

from templates_msg.render import RenderedNotice, TemplateNotConfigured, UnknownEvent, render_notice

__all__ = ["RenderedNotice", "TemplateNotConfigured", "UnknownEvent", "render_notice"]
