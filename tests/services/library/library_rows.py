"""Library rows for the enterprise and public library tests, stored through the upload's own insert
(``services.library.store``) so the keyword column is what an upload writes; a few literal enterprises."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from tortoise.transactions import in_transaction

from core.db import dialect
from models.cards import ModuleAuthorisation
from models.library import CatalogueVersion, IeFlag, LibraryMark, LibraryRow, LibrarySource
from services.kit.actors import PersonActor
from services.library.keywords import keyword_tokens
from services.library.store import Shared, insert_rows, row_values
from tests.factories import credit_code

OTHERS = [credit_code(f"9121020000000{n:04d}") for n in range(1, 6)]  # unregistered enterprises (收发货人)
BROKER = credit_code("91210200MA0XY3128")
SPEC = "0|3|深沟球|SKF|6205-2RS|||"
NOW = datetime(2026, 3, 10, tzinfo=UTC)


def item(n: int, consignee: str, *, mark: LibraryMark = LibraryMark.STANDARD, declarant: str = BROKER,
         source: LibrarySource = LibrarySource.AUDITED, public: bool | None = None, **changes: Any) -> dict[str, Any]:
    """One goods item; ``source`` and ``mark`` decide the rest as an upload would (规范 rows public)."""
    row: dict[str, Any] = {
        "entry_number": f"0901202610{n:08d}", "item_number": 1, "declared_on": date(2026, 3, 2),
        "ie_flag": IeFlag.EXPORT, "trade_mode": "0110", "customs_office": "0901", "transport_mode": "2",
        "transaction_mode": "3", "hs_code": "8482102000", "goods_name": "深沟球轴承", "model_spec": SPEC,
        "declarant_code": declarant, "declarant_name": "大连报关行有限公司", "consignee_code": consignee,
        "consignee_name": f"收发货人{consignee[-4:]}", "origin_country": "CHN", "destination_country": "USA",
        "quantity": 100, "unit": "011", "legal_quantity": 12.5, "legal_unit": "035", "total_price": 356.8,
        "currency": "USD", "mark": mark, "remarks": "", "source": source,
    }
    row.update(changes)
    row["ie_flag"] = IeFlag(row["ie_flag"])
    row["elements"] = row["model_spec"].split("|")
    row["keywords"] = keyword_tokens(row["goods_name"], row["model_spec"])
    row["public"] = mark is LibraryMark.STANDARD if public is None else public
    return row


async def put(*rows: dict[str, Any]) -> list[LibraryRow]:
    """Store the rows (by their natural key: a re-put stores nothing); a declared row whose item is audited among
    the stored rows is superseded, as the upload settles it."""
    version = await CatalogueVersion.all().order_by("-effective_from").first()
    assert version is not None
    async with in_transaction() as conn:  # an upload stores its rows in one transaction too
        postgres = dialect(conn) == "postgres"
        await insert_rows(conn, [row_values(r, r["source"], postgres) for r in rows], Shared(version.id, None, NOW))
    audited = await LibraryRow.filter(source=LibrarySource.AUDITED).values_list("entry_number", "item_number")
    for entry, number in audited:
        await LibraryRow.filter(entry_number=entry, item_number=number, source=LibrarySource.DECLARED).update(
            superseded=True)
    keys = [(r["entry_number"], r["item_number"], r["source"]) for r in rows]
    return [await LibraryRow.get(entry_number=e, item_number=i, source=s) for e, i, s in keys]


async def authorise(person: PersonActor, enterprise_id: int, granted_by: PersonActor) -> None:
    """The legal-person card's authorisation of ``person`` (what services.cards.authorisations.authorise stores)."""
    await ModuleAuthorisation.create(enterprise_id=enterprise_id, person_id=person.person_id,
                                     module="declaration_library", legal_person_name="王法人", card_no="LP0001",
                                     card_fingerprint="f" * 64, granted_by_id=granted_by.person_id, granted_at=NOW)
