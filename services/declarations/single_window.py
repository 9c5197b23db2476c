"""The single-window port (中国国际贸易单一窗口): what the declarations feature asks of it, whoever answers.

The real single window's interface is not public; ``adapters/single_window.py`` speaks the protocol written down in
docs/single_window_protocol.md to ``simulators/single_window/``, and a real connector replaces that adapter by
implementing ``SingleWindow``. Records come back as the protocol gives them: a declaration's head and items keyed by
the standard message's element names (``services.declarations.fields``' ``xml``), a bonded list's by the protocol's
own keys; the sync services map them.

Every failure is a ``SingleWindowError`` with a Chinese message for people; ``retryable`` says whether trying
again later can help (the adapter has already retried throttling, 5xx and network trouble a few times).
The process's adapter is installed once at start-up (``use_single_window``); services ask ``single_window()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, Protocol, TypeVar

from models.errors import DomainError

T = TypeVar("T")
MSG_NOT_CONFIGURED = "未配置单一窗口接口，请联系系统管理员"


class SingleWindowError(DomainError):
    """A failed call: ``code`` the protocol's error code (or ``network``, ``timeout``, ``bad_response``)."""

    code = "single_window"
    status = 409  # the edges answer 4xx: the request was fine, the single window did not take it

    def __init__(self, message: str, *, code: str = "single_window", retryable: bool = False) -> None:
        super().__init__(message)
        self.error_code = code
        self.retryable = retryable


@dataclass(frozen=True)
class RemoteDeclaration:
    seq_no: str  # 统一编号
    entry_id: str  # 海关编号 ("" before customs takes it in)
    decl_type: str  # 报关单类型 (protocol codes, see DECL_TYPES)
    status: str  # 申报状态 (protocol codes)
    enterprise_category: str  # 企业类别 of the asking enterprise on this declaration
    updated_at: datetime  # 最近操作时间
    head: dict[str, Any] = field(default_factory=dict)  # standard message element → value
    items: list[dict[str, Any]] = field(default_factory=list)
    containers: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class RemoteBondedList:
    seq_no: str
    list_no: str
    enterprise_role: str
    data_source: str
    ie_flag: str
    data_status: str
    pre_approval: str
    updated_at: datetime
    head: dict[str, Any] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class RemoteReceipt:
    seq_no: str
    receipt_type: str  # entered / inspected / released / cleared / deleted / rejected
    at: datetime
    entry_id: str = ""
    note: str = ""


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class ReceiptBatch:
    items: list[RemoteReceipt]
    cursor: str  # where the next poll starts
    more: bool


@dataclass(frozen=True)
class DeclarationTicket:
    """按票同步 of a declaration: 统一编号 + 企业类别 + 报关单类型."""

    seq_no: str
    enterprise_category: str
    decl_type: str


@dataclass(frozen=True)
class DeclarationDays:
    """按天同步 of declarations: 最近操作时间 from–to (inclusive days), 企业类别, 境内收发货人 (optional)."""

    first: date
    last: date
    enterprise_category: str
    trade_code: str = ""


@dataclass(frozen=True)
class BondedTicket:
    """按票同步 of a bonded list: 企业类型, 统一编号 or 清单编号, 数据源, 进出口标志."""

    enterprise_role: str
    number: str
    by_list_no: bool
    data_source: str
    ie_flag: str


@dataclass(frozen=True)
class BondedDays:
    first: date
    last: date
    enterprise_role: str
    data_status: str = ""
    ie_flag: str = ""


@dataclass(frozen=True)
class Outgoing:
    """A declaration sent (申报): head and parts keyed by the standard message's element names."""

    decl_type: str
    head: dict[str, Any]
    items: list[dict[str, Any]]
    containers: list[dict[str, Any]]
    documents: list[dict[str, Any]]


class SingleWindow(Protocol):
    async def declare(self, enterprise_code: str, key: str, declaration: Outgoing) -> str:
        """Send; the 统一编号 answered. The same ``key`` again answers the same 统一编号 (nothing sent twice)."""
        ...

    async def declaration(self, enterprise_code: str, ticket: DeclarationTicket) -> RemoteDeclaration | None: ...

    async def declarations(self, enterprise_code: str, days: DeclarationDays, page: int) -> Page[RemoteDeclaration]:
        ...

    async def bonded_list(self, enterprise_code: str, ticket: BondedTicket) -> RemoteBondedList | None: ...

    async def bonded_lists(self, enterprise_code: str, days: BondedDays, page: int) -> Page[RemoteBondedList]: ...

    async def receipts(self, enterprise_code: str, cursor: str, limit: int = 200) -> ReceiptBatch: ...

    async def aclose(self) -> None: ...


class _NotConfigured:
    """The port before an adapter is installed: every call refuses in Chinese."""

    def __getattr__(self, name: str) -> Any:
        async def refuse(*args: Any, **kwargs: Any) -> Any:
            raise SingleWindowError(MSG_NOT_CONFIGURED, code="not_configured")

        return refuse


_installed: list[SingleWindow] = []


def use_single_window(port: SingleWindow | None) -> None:
    """Install the process's adapter (the app and the worker at start-up; a test its own); None uninstalls."""
    _installed.clear()
    if port is not None:
        _installed.append(port)


def installed_single_window() -> SingleWindow | None:
    return _installed[0] if _installed else None


def single_window() -> SingleWindow:
    return _installed[0] if _installed else _NotConfigured()
