"""Logging set-up: one format, and a filter that masks mobile numbers in every record."""

from __future__ import annotations

import logging
import re

_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


class MaskPhones(logging.Filter):
    """13812345678 → 138****5678, in the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _MOBILE.sub(r"\1****\2", str(record.msg))
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(_MOBILE.sub(r"\1****\2", a) if isinstance(a, str) else a for a in args)
        return True


class MaskingFormatter(logging.Formatter):
    """The whole line masked, the traceback included: an exception's message may quote a phone number."""

    def format(self, record: logging.LogRecord) -> str:
        return _MOBILE.sub(r"\1****\2", super().format(record))


def setup_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskPhones())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("tortoise").setLevel(max(logging.INFO, logging.getLevelName(level)))
    # httpx logs every request URL at INFO, and WeChat's token URL carries the app secret.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # APScheduler logs every run of every job at INFO (the outbox runs every 10 s): the demo's banner would scroll away.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(level)))
