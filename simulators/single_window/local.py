"""The simulated single window in-process: the port answered by a ``SingleWindowPlatform`` directly, records
parsed by the adapter's own functions. For the demo's seed (before the site serves the HTTP simulator) and for
service tests that need 申报 to succeed; the adapter itself is tested over HTTP (tests/contract)."""

from __future__ import annotations

import math
import secrets
from typing import Any

from adapters.single_window import bonded_from, declaration_from, receipt_from
from services.declarations.single_window import (
    BondedDays,
    BondedTicket,
    DeclarationDays,
    DeclarationTicket,
    Outgoing,
    Page,
    ReceiptBatch,
    RemoteBondedList,
    RemoteDeclaration,
)
from simulators.single_window.platform import SingleWindowPlatform


class LocalSingleWindow:
    def __init__(self, platform: SingleWindowPlatform | None = None, page_size: int = 50) -> None:
        self.platform = platform or SingleWindowPlatform()
        self.page_size = page_size

    async def declare(self, enterprise_code: str, key: str, declaration: Outgoing) -> str:
        body = {"decl_type": declaration.decl_type, "head": declaration.head, "items": declaration.items,
                "containers": declaration.containers, "documents": declaration.documents}
        return self.platform.declare(enterprise_code, key or secrets.token_hex(8), body)[0]

    async def declaration(self, enterprise_code: str, ticket: DeclarationTicket) -> RemoteDeclaration | None:
        found = self.platform.declaration(enterprise_code, ticket.seq_no, ticket.enterprise_category,
                                          ticket.decl_type)
        return declaration_from(found) if found else None

    async def declarations(self, enterprise_code: str, days: DeclarationDays, page: int) -> Page[RemoteDeclaration]:
        rows = self.platform.declarations(enterprise_code, days.first, days.last, days.enterprise_category,
                                          days.trade_code)
        return self._page([declaration_from(r) for r in rows], page)

    async def bonded_list(self, enterprise_code: str, ticket: BondedTicket) -> RemoteBondedList | None:
        found = self.platform.bonded_list(enterprise_code, ticket.number, ticket.by_list_no, ticket.enterprise_role,
                                          ticket.data_source, ticket.ie_flag)
        return bonded_from(found) if found else None

    async def bonded_lists(self, enterprise_code: str, days: BondedDays, page: int) -> Page[RemoteBondedList]:
        rows = self.platform.bonded_lists(enterprise_code, days.first, days.last, days.enterprise_role,
                                          days.data_status, days.ie_flag)
        return self._page([bonded_from(r) for r in rows], page)

    async def receipts(self, enterprise_code: str, cursor: str, limit: int = 200) -> ReceiptBatch:
        items, after, more = self.platform.receipts(enterprise_code, cursor, limit)
        return ReceiptBatch([receipt_from(r) for r in items], after, more)

    async def aclose(self) -> None:
        return None

    def _page(self, rows: list[Any], page: int) -> Page[Any]:
        size = self.page_size
        return Page(rows[(page - 1) * size:page * size], len(rows), page, max(math.ceil(len(rows) / size), 1))
