"""The simulated single window's state: each enterprise's declarations, bonded lists and receipt feed, the sends
it took (by idempotency key), the receipts it will emit, and the faults a test or the demo asks for.

An enterprise's history (simulators/single_window/data.py) is generated the first time its credit code is asked
about. A send answers a new 统一编号 (the same one for the same key) and plans its receipts: 海关入库, then 放行,
then 结关, ``receipt_pace`` seconds apart; ``emit_due`` moves the planned receipts whose time has come into the
feed (every feed read does it), ``emit`` adds one at once (the control endpoint).

Faults (``fail``): ``slow`` delays every answer by ``seconds``; ``throttle`` answers 429 with Retry-After;
``down`` answers 503; ``cut`` answers a page with fewer records than its ``count`` says. Each for the next
``times`` requests (0: until cleared), after letting ``after`` requests through.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from simulators.single_window.data import RECEIPT_TYPES, declaration_record, history, seq_no_for

FAULTS = ("slow", "throttle", "down", "cut")
# the demo's and the tests' enterprise (the Liaoning manual's example); any other code gets a made-up name
NAMES = {"9121024267997824X5": "大连示例进出口有限公司", "91210242679978240B": "大连示例进出口有限公司"}


@dataclass
class Fault:
    kind: str
    times: int  # 0: until cleared
    seconds: float = 0.0
    after: int = 0  # requests let through first (a failure mid-run)


@dataclass
class Enterprise:
    code: str
    declarations: dict[str, dict[str, Any]] = field(default_factory=dict)  # by 统一编号
    bonded: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Feed:
    receipts: list[dict[str, Any]] = field(default_factory=list)  # position + 1 is the cursor
    planned: list[tuple[datetime, str, dict[str, Any]]] = field(default_factory=list)  # (due, enterprise, receipt)


class SingleWindowPlatform:
    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC), *, receipt_pace: float = 20.0,
                 api_key: str = "") -> None:
        self.clock = clock
        self.receipt_pace = receipt_pace
        self.api_key = api_key
        self.enterprises: dict[str, Enterprise] = {}
        self.feeds: dict[str, Feed] = {}
        self.sends: dict[str, str] = {}  # idempotency key -> 统一编号
        self.entry_ids: dict[str, str] = {}  # 统一编号 of a send -> the 海关编号 customs gives it on entry
        self.faults: list[Fault] = []
        self.requests = 0  # answered requests (tests count calls)
        self.history_days = 45

    # -- faults ------------------------------------------------------------------------------------------------

    def fail(self, kind: str, times: int = 1, seconds: float = 0.0, after: int = 0) -> None:
        if kind not in FAULTS:
            raise ValueError(kind)
        self.faults.append(Fault(kind, times, seconds, after))

    def clear_faults(self) -> None:
        self.faults.clear()

    def take_fault(self, paged: bool) -> Fault | None:
        """The fault this request meets (a ``cut`` only meets a page), counting it down."""
        for fault in self.faults:
            if fault.kind == "cut" and not paged:
                continue
            if fault.after:
                fault.after -= 1
                return None
            if fault.times:
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
            return fault
        return None

    # -- data ----------------------------------------------------------------------------------------------------

    def enterprise(self, code: str, name: str = "") -> Enterprise:
        found = self.enterprises.get(code)
        if found is None:
            found = self.enterprises[code] = Enterprise(code)
            declarations, bonded = history(code, name or NAMES.get(code, "模拟进出口有限公司"), self.clock(),
                                           self.history_days)
            found.declarations = {d["seq_no"]: d for d in declarations}
            found.bonded = {b["seq_no"]: b for b in bonded}
        return found

    def add_declarations(self, code: str, count: int, day: date, name: str = "") -> list[str]:
        """``count`` more declarations of the enterprise last changed on ``day`` (bench, tests)."""
        rng = random.Random(f"{code}:{day}:{count}:{len(self.enterprise(code, name).declarations)}")
        added = []
        for n in range(count):
            at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(seconds=n * 7)
            record = declaration_record(rng, code, name or NAMES.get(code, "模拟进出口有限公司"), seq_no_for(rng), at,
                                        "entered", "")
            self.enterprise(code).declarations[record["seq_no"]] = record
            added.append(record["seq_no"])
        return added

    def declaration(self, code: str, seq_no: str, category: str, decl_type: str) -> dict[str, Any] | None:
        found = self.enterprise(code).declarations.get(seq_no)
        if found is None or (category and found["enterprise_category"] != category) \
                or (decl_type and found["decl_type"] != decl_type):
            return None
        return found

    def declarations(self, code: str, first: date, last: date, category: str, trade_code: str) -> list[dict[str, Any]]:
        rows = [d for d in self.enterprise(code).declarations.values()
                if first <= datetime.fromisoformat(d["updated_at"]).date() <= last
                and (not category or d["enterprise_category"] == category)
                and (not trade_code or d["head"].get("TradeCoScc") == trade_code)]
        return sorted(rows, key=lambda d: (d["updated_at"], d["seq_no"]))

    def bonded_list(self, code: str, number: str, by_list_no: bool, role: str, source: str,
                    ie_flag: str) -> dict[str, Any] | None:
        for row in self.enterprise(code).bonded.values():
            if (row["list_no"] if by_list_no else row["seq_no"]) == number \
                    and (not role or row["enterprise_role"] == role) \
                    and (not source or row["data_source"] == source) and (not ie_flag or row["ie_flag"] == ie_flag):
                return row
        return None

    def bonded_lists(self, code: str, first: date, last: date, role: str, status: str,
                     ie_flag: str) -> list[dict[str, Any]]:
        rows = [b for b in self.enterprise(code).bonded.values()
                if first <= datetime.fromisoformat(b["updated_at"]).date() <= last
                and (not role or b["enterprise_role"] == role) and (not status or b["data_status"] == status)
                and (not ie_flag or b["ie_flag"] == ie_flag)]
        return sorted(rows, key=lambda b: (b["updated_at"], b["seq_no"]))

    # -- sends and receipts --------------------------------------------------------------------------------------

    def declare(self, code: str, key: str, body: dict[str, Any]) -> tuple[str, bool]:
        """(统一编号, new): the same key answers the same 统一编号 and sends nothing again."""
        if key in self.sends:
            return self.sends[key], False
        seq_no = f"I{body.get('head', {}).get('CustomMaster') or '0900'}{secrets.randbelow(10**13):013d}"
        now = self.clock()
        self.sends[key] = seq_no
        self.enterprise(code).declarations[seq_no] = {
            "seq_no": seq_no, "entry_id": "", "decl_type": body.get("decl_type", "E0"), "status": "declared",
            "enterprise_category": "trade", "updated_at": now.isoformat(), "head": body.get("head", {}),
            "items": body.get("items", []), "containers": body.get("containers", []),
            "documents": body.get("documents", [])}
        entry_id = f"{body.get('head', {}).get('CustomMaster') or '0900'}{now:%Y}0{secrets.randbelow(10**9):09d}"
        self.entry_ids[seq_no] = entry_id
        feed = self.feeds.setdefault(code, Feed())
        for n, kind in enumerate(("entered", "released", "cleared"), start=1):
            feed.planned.append((now + timedelta(seconds=self.receipt_pace * n), code,
                                 {"seq_no": seq_no, "type": kind, "entry_id": entry_id, "note": ""}))
        return seq_no, True

    def emit(self, code: str, seq_no: str, kind: str, note: str = "", at: datetime | None = None) -> dict[str, Any]:
        if kind not in RECEIPT_TYPES:
            raise ValueError(kind)
        found = self.enterprise(code).declarations.get(seq_no)
        # customs numbers a sent declaration when it takes it in: every receipt but a 退单 carries that 海关编号
        entry_id = (found or {}).get("entry_id", "") or ("" if kind == "rejected" else self.entry_ids.get(seq_no, ""))
        receipt = {"seq_no": seq_no, "type": kind, "entry_id": entry_id, "note": note,
                   "at": (at or self.clock()).isoformat()}
        self._append(code, receipt)
        return receipt

    def _append(self, code: str, receipt: dict[str, Any]) -> None:
        self.feeds.setdefault(code, Feed()).receipts.append(receipt)
        found = self.enterprise(code).declarations.get(receipt["seq_no"])
        if found is not None:
            if receipt["type"] != "inspected":
                found["status"] = receipt["type"]
            found["entry_id"] = found["entry_id"] or receipt.get("entry_id", "")
            found["updated_at"] = receipt["at"]

    def emit_due(self, code: str, *, everything: bool = False) -> int:
        feed = self.feeds.setdefault(code, Feed())
        now = self.clock()
        due = [p for p in feed.planned if everything or p[0] <= now]
        feed.planned = [p for p in feed.planned if p not in due]
        for at, _, receipt in sorted(due, key=lambda p: p[0]):
            self._append(code, {**receipt, "at": min(at, now).isoformat()})
        return len(due)

    def receipts(self, code: str, cursor: str, limit: int) -> tuple[list[dict[str, Any]], str, bool]:
        self.emit_due(code)
        feed = self.feeds.setdefault(code, Feed())
        start = int(cursor) if cursor.isdigit() else 0
        items = feed.receipts[start:start + limit]
        end = start + len(items)
        return items, str(end), end < len(feed.receipts)
