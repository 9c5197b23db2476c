"""Settings: read once from config.yaml plus QINGLING_<SECTION>_<KEY> environment variables.

Environment values are read as YAML ("[2, 1]", "true"), except text keys and secrets, which are taken
verbatim. Nothing else in the code base reads ``os.environ`` for settings. A missing or bad value raises
``ConfigError`` whose message is one line naming the key; secrets are only accepted from the
environment and never printed.
"""

from __future__ import annotations

import os
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "QINGLING_"
NOTE_RULES = ("always", "unless_appended", "never")
Layer = typing.Mapping[str, dict[str, typing.Any]]  # section -> key -> value, as in config.yaml


class ConfigError(Exception):
    """A setting is missing or invalid; the message names the key."""


class Secret(str):
    """A string that never shows itself in repr or logs."""

    def __repr__(self) -> str:
        return "Secret('**********')"


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    public_url: str = ""  # empty: derived from host and port (``local_url``)
    embedded_worker: bool = True

    def __post_init__(self) -> None:
        if not self.public_url:
            object.__setattr__(self, "public_url", local_url(self.host, self.port))

    def moved(self, **values: Any) -> ServerSettings:
        """A copy with some keys replaced; a derived public URL follows a new host or port."""
        if "public_url" not in values and self.public_url == local_url(self.host, self.port):
            values["public_url"] = ""
        return replace(self, **values)


def local_url(host: str, port: int) -> str:
    """This server's own URL: an address that listens on every interface is reached on the loopback."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite://var/qingling.sqlite3"
    max_connections: int = 10


@dataclass(frozen=True)
class CacheSettings:
    url: str = ""
    prefix: str = "qingling:"
    max_connections: int = 64  # per process; a busy pool makes callers wait (pool_timeout_ms), not fail at once
    pool_timeout_ms: int = 500  # wait at most this long for a free connection
    socket_timeout_ms: int = 1000  # connect and each command: a hung Redis fails fast (the WeChat deadline is 5 s)


@dataclass(frozen=True)
class DistrictSettings:
    name: str = "大连海关"
    accepting_office_codes: tuple[str, ...] = ("0900",)


@dataclass(frozen=True)
class LifecycleSettings:
    auto_close_days: int = 7
    reminder_days_before: tuple[int, ...] = (2,)
    evaluation_note_required: dict[int, str] = field(
        default_factory=lambda: {1: "never", 2: "always", 3: "unless_appended", 4: "unless_appended"}
    )
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True)
class SchedulerSettings:
    autoclose_interval_seconds: int = 300
    outbox_interval_seconds: int = 10
    lock_ttl_seconds: int = 600
    jobs_poll_seconds: int = 1  # how often an idle worker looks for queued background jobs (exports)
    job_lease_seconds: int = 60  # a running job's worker renews this lease; past it, another worker takes over
    job_retention_hours: int = 24  # a finished job and its file are deleted this long after it finished


@dataclass(frozen=True)
class MessagesSettings:
    office_hours_start: str = "09:00"  # office hours of working days (the escalation's and reminders' clock)
    office_hours_end: str = "18:00"
    escalate_after_office_hours: int = 4  # an unread 预警 goes out by WeChat / SMS after this long
    grant_reminder_working_days: int = 3  # a grant's reminder: when less than this many working days are left
    sweep_interval_seconds: int = 300  # the reminders, expiries and escalations sweep


@dataclass(frozen=True)
class LoggingSettings:
    level: str = "INFO"


@dataclass(frozen=True)
class SimulatorSettings:
    enabled: bool = False


@dataclass(frozen=True)
class WechatSettings:
    app_id: str = ""
    app_secret: Secret | None = None
    token: Secret | None = None
    encoding_aes_key: Secret | None = None
    api_base: str = "https://api.weixin.qq.com"
    stable_token: bool = False
    timestamp_window_seconds: int = 300
    reply_deadline_seconds: int = 4
    miniprogram_app_id: str = ""
    miniprogram_app_secret: Secret | None = None
    templates: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SmsSettings:
    endpoint: str = "https://dysmsapi.aliyuncs.com"
    access_key_id: str = ""
    access_key_secret: Secret | None = None
    sign_name: str = ""
    templates: dict[str, str] = field(default_factory=dict)
    timeout_seconds: int = 5
    code_ttl_seconds: int = 300
    code_max_tries: int = 5
    codes_per_ip_per_hour: int = 20


@dataclass(frozen=True)
class IdentityProviderSettings:
    """The central single-window identity provider (OpenID Connect) for 单一窗口账号快捷登录."""

    enabled: bool = False
    issuer: str = ""  # its discovery document is <issuer>/.well-known/openid-configuration
    client_id: str = ""
    client_secret: Secret | None = None
    scopes: tuple[str, ...] = ("openid", "profile", "phone", "enterprise")
    redirect_path: str = "/h5/central/callback"
    timeout_seconds: int = 5
    display_name: str = "中国国际贸易单一窗口"


@dataclass(frozen=True)
class SingleWindowSettings:
    """The single window's data interface (docs/single_window_protocol.md); simulated in the demo and tests."""

    endpoint: str = ""  # empty: not configured (申报 and 数据同步 refuse in Chinese)
    api_key: Secret | None = None
    timeout_seconds: int = 10
    retries: int = 3  # further tries of a throttled (429), failing (5xx) or unreachable call
    backoff_ms: int = 500  # the first pause; doubled for every further try (or the server's Retry-After)
    page_size: int = 50
    receipts_interval_seconds: int = 60  # the scheduler's receipts poll


@dataclass(frozen=True)
class WebSettings:
    session_ttl_seconds: int = 7 * 86400
    cookie_secure: bool = False
    upload_dir: str = "var/uploads"
    upload_max_bytes: int = 20 * 1024 * 1024


@dataclass(frozen=True)
class CustomsSettings:
    accept_within_days: int = 2
    reply_within_days: int = 5


@dataclass(frozen=True)
class CardSettings:
    ca_cert_paths: tuple[str, ...] = ()  # PEM files of the CAs whose card certificates are accepted
    challenge_ttl_seconds: int = 120
    helper_url: str = "http://127.0.0.1:17380"  # the desktop card helper, as the user's browser reaches it


@dataclass(frozen=True)
class LibrarySettings:
    public_min_enterprises: int = 3  # the public library shows an HS code only when this many enterprises declared it
    export_direct_limit: int = 5000  # an export of every filtered row beyond this many rows runs as a job


@dataclass(frozen=True)
class SecuritySettings:
    secret_key: Secret | None = None


def _is_secret(hint: Any) -> bool:
    """A secret is any key typed Secret: accepted only from the environment."""
    return Secret in typing.get_args(hint) or hint is Secret


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    cache: CacheSettings = field(default_factory=CacheSettings)
    district: DistrictSettings = field(default_factory=DistrictSettings)
    lifecycle: LifecycleSettings = field(default_factory=LifecycleSettings)
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    messages: MessagesSettings = field(default_factory=MessagesSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    simulators: SimulatorSettings = field(default_factory=SimulatorSettings)
    wechat: WechatSettings = field(default_factory=WechatSettings)
    sms: SmsSettings = field(default_factory=SmsSettings)
    web: WebSettings = field(default_factory=WebSettings)
    customs: CustomsSettings = field(default_factory=CustomsSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    identity_provider: IdentityProviderSettings = field(default_factory=IdentityProviderSettings)
    single_window: SingleWindowSettings = field(default_factory=SingleWindowSettings)
    card: CardSettings = field(default_factory=CardSettings)
    library: LibrarySettings = field(default_factory=LibrarySettings)

    def override(self, **sections: dict[str, Any]) -> Settings:
        """A copy with some keys replaced, e.g. ``override(database={"url": ...})``."""
        changed: dict[str, Any] = {
            name: self.server.moved(**values) if name == "server" else replace(getattr(self, name), **values)
            for name, values in sections.items()}
        return replace(self, **changed)


def load_settings(path: str | Path | None = None, environ: typing.Mapping[str, str] | None = None,
                  preset: Layer | None = None, forced: Layer | None = None) -> Settings:
    """Build the settings from the YAML file and the environment, validating every key.

    For a command that brings its own configuration (``qingling demo``): ``preset`` is a layer between the
    file and the environment, ``forced`` one above the environment. Both may hold secrets; the file may not.
    """
    environ = os.environ if environ is None else environ
    path = Path(path or environ.get("QINGLING_CONFIG") or PROJECT_ROOT / "config.yaml")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"配置文件不存在：{path}") from None
    except (OSError, UnicodeDecodeError) as exc:  # a directory, no permission, not UTF-8 text
        raise ConfigError(f"配置文件 {path} 无法读取：{exc}".splitlines()[0]) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"配置文件 {path} 不是合法的 YAML：{_yaml_problem(exc)}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"配置文件 {path} 的顶层必须是各个配置节")

    unknown = set(raw) - {f.name for f in fields(Settings)}
    if unknown:
        raise ConfigError(f"配置项 {sorted(unknown, key=str)[0]}：未知的配置节")
    sections = {}
    for section_field in fields(Settings):
        section_cls = typing.get_type_hints(Settings)[section_field.name]
        section_raw = raw.get(section_field.name) or {}
        if not isinstance(section_raw, dict):
            raise ConfigError(f"配置项 {section_field.name}：应为一组键值")
        layers = [(layer or {}).get(section_field.name, {}) for layer in (forced, preset)]
        sections[section_field.name] = _build_section(section_field.name, section_cls, section_raw, layers, environ)
    settings = Settings(**sections)
    _check_rules(settings)
    return settings


def _build_section(name: str, cls: type, raw: dict[str, Any], layers: list[dict[str, Any]],
                   environ: typing.Mapping[str, str]) -> Any:
    forced, preset = layers
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    for key in raw:
        if key not in known:
            raise ConfigError(f"配置项 {name}.{key}：未知的配置项")
    values = {}
    for f in fields(cls):
        dotted = f"{name}.{f.name}"
        env_name = f"{ENV_PREFIX}{name.upper()}_{f.name.upper()}"
        is_secret = _is_secret(hints[f.name])
        if is_secret and raw.get(f.name) is not None:
            raise ConfigError(f"配置项 {dotted}：密钥不能写在配置文件里，请用环境变量 {env_name}")
        value: Any
        if f.name in forced:
            value, source = forced[f.name], ""
        elif env_name in environ:
            # Text keys are taken verbatim: as YAML, "qingling:" or "::" would turn into maps.
            verbatim = is_secret or hints[f.name] is str
            value = environ[env_name] if verbatim else _parse_env(dotted, environ[env_name])
            source = f"（来自环境变量 {env_name}）"
        elif f.name in preset:
            value, source = preset[f.name], ""
        elif f.name in raw:
            value, source = raw[f.name], ""
        else:
            continue
        values[f.name] = _coerce(dotted, hints[f.name], value, source)
    return cls(**values)


def _parse_env(dotted: str, text: str) -> Any:
    try:
        return yaml.safe_load(text) if text.strip() else ""
    except yaml.YAMLError:
        raise ConfigError(f"配置项 {dotted}：环境变量的值无法解析") from None


def _coerce(dotted: str, hint: Any, value: Any, source: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        hint = next(a for a in args if a is not type(None))
        origin, args = typing.get_origin(hint), typing.get_args(hint)
    bad = ConfigError(f"配置项 {dotted}：应为{_describe(hint)}，实际为 {value!r}{source}")
    if hint is Secret:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"配置项 {dotted}：密钥不能为空{source}")
        return Secret(value)
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise bad
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
        return value
    if hint is str:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise bad
        return "" if value is None else str(value)
    if origin is tuple:
        if not isinstance(value, list):
            raise bad
        return tuple(_coerce(dotted, args[0], item, source) for item in value)
    if origin is dict:
        if not isinstance(value, dict):
            raise bad
        return {_coerce(dotted, args[0], k, source): _coerce(dotted, args[1], v, source) for k, v in value.items()}
    raise bad  # pragma: no cover - a field type this loader does not know


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """One line: what is wrong and where (str(exc) spreads over several lines, context first)."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    return f"第 {mark.line + 1} 行第 {mark.column + 1} 列：{problem}" if mark else problem


def _describe(hint: Any) -> str:
    return {bool: " true/false", int: "整数", str: "字符串"}.get(hint, "列表或键值")


def _check_rules(s: Settings) -> None:
    def need(ok: bool, dotted: str, message: str) -> None:
        if not ok:
            raise ConfigError(f"配置项 {dotted}：{message}")

    need(1 <= s.server.port <= 65535, "server.port", f"端口应在 1–65535 之间，实际为 {s.server.port}")
    need(1 <= s.server.workers <= 64, "server.workers", "应在 1–64 之间")
    need(urlparse(s.server.public_url).scheme in ("http", "https"), "server.public_url",
         "应以 http:// 或 https:// 开头")
    need(s.database.url.split("://")[0] in ("sqlite", "postgres", "asyncpg", "psycopg"), "database.url",
         "只支持 sqlite:// 或 postgres:// 地址")
    need(s.database.max_connections >= 1, "database.max_connections", "至少为 1")
    need(s.cache.url == "" or s.cache.url.startswith(("redis://", "rediss://", "unix://")), "cache.url",
         "应为空（进程内缓存）或 redis:// 地址")
    need(1 <= s.cache.max_connections <= 10_000, "cache.max_connections", "应在 1–10000 之间")
    need(10 <= s.cache.pool_timeout_ms <= 4000, "cache.pool_timeout_ms", "应在 10–4000 毫秒之间")
    need(10 <= s.cache.socket_timeout_ms <= 4000, "cache.socket_timeout_ms", "应在 10–4000 毫秒之间")
    need(bool(s.district.accepting_office_codes), "district.accepting_office_codes", "至少指定一个受理单位")
    need(1 <= s.lifecycle.auto_close_days <= 365, "lifecycle.auto_close_days", "应在 1–365 天之间")
    need(all(0 < d < s.lifecycle.auto_close_days for d in s.lifecycle.reminder_days_before),
         "lifecycle.reminder_days_before", "每一项都应大于 0 且小于 auto_close_days")
    rules = s.lifecycle.evaluation_note_required
    need(set(rules) == {1, 2, 3, 4}, "lifecycle.evaluation_note_required", "应为评价 1、2、3、4 各写一条规则")
    need(all(r in NOTE_RULES for r in rules.values()), "lifecycle.evaluation_note_required",
         f"规则只能是 {', '.join(NOTE_RULES)}")
    need(rules[1] != "unless_appended", "lifecycle.evaluation_note_required", "评价 1 不能追加问题")
    need(_is_timezone(s.lifecycle.timezone), "lifecycle.timezone", f"未知的时区 {s.lifecycle.timezone!r}")
    need(s.scheduler.autoclose_interval_seconds >= 10, "scheduler.autoclose_interval_seconds", "至少 10 秒")
    need(s.scheduler.outbox_interval_seconds >= 1, "scheduler.outbox_interval_seconds", "至少 1 秒")
    need(s.scheduler.lock_ttl_seconds >= 10, "scheduler.lock_ttl_seconds", "至少 10 秒")
    need(1 <= s.scheduler.job_retention_hours <= 24 * 365, "scheduler.job_retention_hours", "应在 1 小时到 365 天之间")
    _check_messages(s, need)
    key = s.security.secret_key
    need(key is None or len(key) >= 16, "security.secret_key", "密钥至少 16 个字符")
    aes = s.wechat.encoding_aes_key
    need(aes is None or len(aes) == 43, "wechat.encoding_aes_key", "EncodingAESKey 应为 43 个字符")
    token = s.wechat.token
    need(token is None or bool(re.fullmatch(r"[A-Za-z0-9]{3,32}", token)), "wechat.token",
         "Token 应为 3–32 位英文字母或数字")
    need(urlparse(s.wechat.api_base).scheme in ("http", "https"), "wechat.api_base", "应以 http:// 或 https:// 开头")
    need(1 <= s.wechat.reply_deadline_seconds <= 4, "wechat.reply_deadline_seconds",
         "应在 1–4 秒之间（微信 5 秒内收不到回复会重试）")
    need(s.wechat.timestamp_window_seconds >= 30, "wechat.timestamp_window_seconds", "至少 30 秒")
    real_wechat = urlparse(s.wechat.api_base).hostname == "api.weixin.qq.com" and s.wechat.app_secret is not None
    need(not (s.simulators.enabled and real_wechat), "simulators.enabled",
         "模拟器不能与真实的微信凭据同时启用")
    need(urlparse(s.sms.endpoint).scheme in ("http", "https") and bool(urlparse(s.sms.endpoint).hostname),
         "sms.endpoint", "应为 https://主机名[:端口]")
    need(1 <= s.sms.timeout_seconds <= 30, "sms.timeout_seconds", "应在 1–30 秒之间")
    need(60 <= s.sms.code_ttl_seconds <= 1800, "sms.code_ttl_seconds", "应在 60–1800 秒之间")
    need(1 <= s.sms.code_max_tries <= 10, "sms.code_max_tries", "应在 1–10 次之间")
    need(s.sms.codes_per_ip_per_hour >= 1, "sms.codes_per_ip_per_hour", "至少为 1")
    real_sms = urlparse(s.sms.endpoint).hostname == "dysmsapi.aliyuncs.com" and s.sms.access_key_secret is not None
    need(not (s.simulators.enabled and real_sms), "simulators.enabled", "模拟器不能与真实的短信凭据同时启用")
    _check_identity_provider(s, need)
    _check_single_window(s, need)
    need(300 <= s.web.session_ttl_seconds <= 90 * 86400, "web.session_ttl_seconds", "应在 300 秒到 90 天之间")
    need(1024 <= s.web.upload_max_bytes <= 100 * 1024 * 1024, "web.upload_max_bytes", "应在 1 KB 到 100 MB 之间")
    need(1 <= s.customs.accept_within_days <= 60, "customs.accept_within_days", "应在 1–60 天之间")
    need(s.customs.accept_within_days <= s.customs.reply_within_days <= 365, "customs.reply_within_days",
         "应不少于 accept_within_days，且不超过 365 天")
    need(s.logging.level in ("DEBUG", "INFO", "WARNING", "ERROR"), "logging.level",
         "应为 DEBUG、INFO、WARNING 或 ERROR")


def _check_messages(s: Settings, need: Callable[[bool, str, str], None]) -> None:
    m = s.messages
    hours = [re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", t) for t in (m.office_hours_start, m.office_hours_end)]
    need(hours[0] is not None, "messages.office_hours_start", "应为 HH:MM，如 09:00")
    need(hours[1] is not None and m.office_hours_start < m.office_hours_end, "messages.office_hours_end",
         "应为 HH:MM，且晚于 office_hours_start")
    need(1 <= m.escalate_after_office_hours <= 200, "messages.escalate_after_office_hours", "应在 1–200 小时之间")
    need(1 <= m.grant_reminder_working_days <= 30, "messages.grant_reminder_working_days", "应在 1–30 天之间")
    need(m.sweep_interval_seconds >= 10, "messages.sweep_interval_seconds", "至少 10 秒")


def _check_single_window(s: Settings, need: Callable[[bool, str, str], None]) -> None:
    sw = s.single_window
    url = urlparse(sw.endpoint)
    need(not sw.endpoint or (url.scheme in ("http", "https") and bool(url.hostname)),
         "single_window.endpoint", "应为空或 https://主机名[:端口]/路径")
    need(1 <= sw.timeout_seconds <= 120, "single_window.timeout_seconds", "应在 1–120 秒之间")
    need(0 <= sw.retries <= 10, "single_window.retries", "应在 0–10 次之间")
    need(0 <= sw.backoff_ms <= 60_000, "single_window.backoff_ms", "应在 0–60000 毫秒之间")
    need(1 <= sw.page_size <= 500, "single_window.page_size", "应在 1–500 之间")
    need(sw.receipts_interval_seconds >= 5, "single_window.receipts_interval_seconds", "至少为 5")


def _check_identity_provider(s: Settings, need: Callable[[bool, str, str], None]) -> None:
    idp = s.identity_provider
    if not idp.enabled:
        return
    need(urlparse(idp.issuer).scheme in ("http", "https") and bool(urlparse(idp.issuer).hostname),
         "identity_provider.issuer", "应为 https://主机名/路径（发现文档在其下的 /.well-known/openid-configuration）")
    need(bool(idp.client_id), "identity_provider.client_id", "启用时必须填写")
    need("openid" in idp.scopes, "identity_provider.scopes", "必须包含 openid")
    need(idp.redirect_path.startswith("/") and not idp.redirect_path.startswith("//"),
         "identity_provider.redirect_path", "应为本站路径，如 /h5/central/callback")
    need(1 <= idp.timeout_seconds <= 30, "identity_provider.timeout_seconds", "应在 1–30 秒之间")
    simulated = urlparse(idp.issuer).path.rstrip("/").endswith("/sim/idp")
    need(not (s.simulators.enabled and not simulated and idp.client_secret is not None), "simulators.enabled",
         "模拟器不能与真实的身份认证服务凭据同时启用")


def _is_timezone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a tz directory such as "Asia"
        return False
    return True
