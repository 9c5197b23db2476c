"""Re-checking the stored library rows when a new catalogue version comes into effect, and telling each
enterprise which of its HS codes changed.

Set-based, in three steps, each safe to repeat:
1. the changes: for every older version, each HS code's ordered element names compared with the new version's
   (one pass over the ~12,000 codes of each version, in Python) — elements gained, lost, the common ones
   reordered, or the code expired (not in the new version); stored in ``catalogue_change``, unchanged codes not;
2. the rows, one UPDATE per HS chapter (the first two digits: ~100 statements, each its own transaction, served by
   the index on ``hs_code``): every row not yet checked against the new version gets it, and
   ``catalogue_change`` the kinds of its code's change (a correlated lookup in ``catalogue_change``; "" when its
   code did not change);
3. the messages: one aggregate query over the rows whose code changed gives each enterprise (as 申报单位 or
   收发货人) its codes, change kinds and row counts; each enterprise is told once (``library_notice`` key
   ``catalogue:<version>``), each code with a link to the library filtered by it.
Then the version is marked re-checked. A run cut short resumes where it stopped: step 2 skips rows already at the
new version, step 3 skips enterprises already told. The worker runs it hourly (``scheduler.jobs``) with a lock.
Element names only are compared (a changed "required" or allowed-value table is not a change of the list).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from core.db import connection, dialect, execute, fetch
from models.library import CatalogueChange, CatalogueVersion, HsCode, LibraryRow
from services.kit.context import ServiceContext
from services.library import labels as L
from services.library.monthly import library_link
from services.library.notices import claim_notice, recipients
from services.messages.events import library_messages

CHAPTERS = [f"{n:02d}" for n in range(100)]
MESSAGE_LINES = 30  # codes listed in one message; the rest are counted
Progress = Callable[[int, int], None]

_ROWS_SQL = """
UPDATE library_row SET catalogue_version_id = ?, updated_at = ?,
    catalogue_change = COALESCE((SELECT c.kinds FROM catalogue_change c
                                 WHERE c.from_version_id = library_row.catalogue_version_id
                                   AND c.to_version_id = ? AND c.hs_code = library_row.hs_code), '')
WHERE catalogue_version_id <> ? AND hs_code >= ? AND hs_code < ?"""

_AFFECTED_SQL = """
SELECT e, hs_code, catalogue_change, COUNT(DISTINCT id) AS n FROM (
    SELECT id, declarant_enterprise_id AS e, hs_code, catalogue_change FROM library_row
    WHERE catalogue_version_id = ? AND catalogue_change <> '' AND NOT superseded
      AND declarant_enterprise_id IS NOT NULL
    UNION ALL
    SELECT id, consignee_enterprise_id AS e, hs_code, catalogue_change FROM library_row
    WHERE catalogue_version_id = ? AND catalogue_change <> '' AND NOT superseded
      AND consignee_enterprise_id IS NOT NULL) t
GROUP BY e, hs_code, catalogue_change ORDER BY e, hs_code"""


@dataclass(frozen=True)
class ElementChange:
    gained: list[str]
    lost: list[str]
    reordered: bool
    expired: bool = False

    @property
    def kinds(self) -> str:
        flags = {"gained": bool(self.gained), "lost": bool(self.lost), "reordered": self.reordered,
                 "expired": self.expired}
        return ",".join(kind for kind, on in flags.items() if on)


@dataclass(frozen=True)
class RecheckReport:
    version: str
    changed_codes: int
    rows: int
    enterprises_told: int


def compare_elements(old: list[str] | None, new: list[str] | None) -> ElementChange | None:
    """How an HS code's element names changed (None: not at all). ``new`` None: the code expired."""
    if old is None:
        return None
    if new is None:
        return ElementChange([], [], False, expired=True)
    gained = [name for name in new if name not in old]
    lost = [name for name in old if name not in new]
    reordered = [name for name in old if name in new] != [name for name in new if name in old]
    return ElementChange(gained, lost, reordered) if gained or lost or reordered else None


async def _names(version_id: int) -> dict[str, list[str]]:
    return {code: [e["name"] for e in elements] for code, elements in
            await HsCode.filter(version_id=version_id).values_list("code", "elements")}


async def _record_changes(old: CatalogueVersion, new: CatalogueVersion, new_names: dict[str, list[str]]) -> int:
    """Store the changes from ``old`` to ``new`` not stored yet; how many codes changed."""
    changes = {code: change for code, names in (await _names(old.id)).items()
               if (change := compare_elements(names, new_names.get(code))) is not None}
    stored = {str(code) for code in await CatalogueChange.filter(from_version_id=old.id, to_version_id=new.id)
              .values_list("hs_code", flat=True)}
    await CatalogueChange.bulk_create(
        [CatalogueChange(from_version_id=old.id, to_version_id=new.id, hs_code=code, kinds=change.kinds,
                         gained=change.gained, lost=change.lost)
         for code, change in changes.items() if code not in stored], batch_size=2000)
    return len(changes)


def _describe(hs: str, kinds: str, details: dict[str, CatalogueChange], version: str) -> str:
    parts = []
    change = details.get(hs)
    for kind in kinds.split(","):
        if kind == "expired":
            parts.append(L.MSG_CHANGE_EXPIRED.format(version=version))
        elif kind in ("gained", "lost") and change is not None:
            parts.append(L.MSG_CHANGE_NAMES.format(kind=L.CHANGE_KINDS[kind],
                                                   names="、".join(getattr(change, kind))))
        else:
            parts.append(L.CHANGE_KINDS[kind])
    return "；".join(parts)


async def _tell(ctx: ServiceContext, version: CatalogueVersion) -> int:
    """Tell each enterprise with rows of changed codes, once; how many were told now."""
    rows = await fetch(connection(), _AFFECTED_SQL, version.id, version.id)
    by_enterprise: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_enterprise.setdefault(int(row["e"]), []).append(row)
    details = {c.hs_code: c for c in await CatalogueChange.filter(to_version_id=version.id)}
    people = await recipients(by_enterprise, ctx.now())
    told = 0
    for enterprise_id, persons in people.items():
        codes = by_enterprise[enterprise_id]
        lines = [L.MSG_CHANGE_LINE.format(hs=r["hs_code"], what=_describe(r["hs_code"], r["catalogue_change"],
                                                                            details, version.code),
                                          rows=int(r["n"]), link=library_link(hs=r["hs_code"]))
                 for r in codes[:MESSAGE_LINES]]
        if len(codes) > MESSAGE_LINES:
            lines.append(L.MSG_CHANGE_MORE.format(count=len(codes) - MESSAGE_LINES))
        body = "\n".join([L.MSG_CHANGE_INTRO.format(version=version.code), *lines])
        async with in_transaction() as conn:
            if not await claim_notice(conn, enterprise_id, f"catalogue:{version.code}",
                                      {"codes": {r["hs_code"]: r["catalogue_change"] for r in codes}}, ctx.now()):
                continue
            await library_messages(conn, enterprise_id=enterprise_id, people=persons,
                                   title=L.MSG_CHANGE_TITLE.format(version=version.code, count=len(codes)),
                                   body=body, link=library_link(hs=codes[0]["hs_code"]), now=ctx.now(),
                                   important=True)
        told += 1
    return told


async def recheck_library(ctx: ServiceContext, progress: Progress = lambda done, total: None) -> RecheckReport | None:
    """Re-check every stored row against the catalogue version in effect, if it was not yet; None when there is
    nothing to do."""
    today = ctx.now().astimezone(ctx.tz).date()
    version = await CatalogueVersion.filter(effective_from__lte=today).order_by("-effective_from").first()
    if version is None or version.rechecked_at is not None:
        return None
    names = await _names(version.id)
    changed = 0
    for old in await CatalogueVersion.filter(effective_from__lt=version.effective_from):  # rows can be on these
        changed += await _record_changes(old, version, names)
    now: Any = ctx.now()
    if dialect() != "postgres":
        now = LibraryRow._meta.fields_map["updated_at"].to_db_value(now, LibraryRow)
    updated = 0
    for done, chapter in enumerate(CHAPTERS, start=1):
        upper = f"{int(chapter) + 1:02d}" if chapter != "99" else ":"  # ":" sorts after every digit
        async with in_transaction() as tx:
            updated += await execute(tx, _ROWS_SQL, version.id, now, version.id, version.id, chapter, upper)
        progress(done, len(CHAPTERS))
    told = await _tell(ctx, version)
    await CatalogueVersion.filter(id=version.id).update(rechecked_at=ctx.now())
    return RecheckReport(version.code, changed, updated, told)
