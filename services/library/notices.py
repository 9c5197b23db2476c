"""Library messages written to an enterprise once, and to whom they go.

A notice (the monthly summary, a catalogue change) is claimed by inserting its ``library_notice`` row
(enterprise + key, unique) with ``ON CONFLICT DO NOTHING`` in the transaction that writes its messages and outbox
rows: the first run writes it, a second run (or a second worker at the same moment: its insert waits for the
first transaction and then does nothing) writes nothing.

The recipients are the people who can open the linked library: active members of the enterprise who hold
``library:query`` (``services.workspace.permissions.compute``: built-in role, custom roles, grants in effect) and
whom the legal person authorised for the module with the card (``module_authorisation``, not revoked).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from core.db import dialect, execute
from models.cards import ModuleAuthorisation
from models.enterprises import Membership
from models.library import LibraryNotice
from services.workspace.permissions import compute

LIBRARY_QUERY = "library:query"
LIBRARY_MODULE = "declaration_library"
_CREATED_AT = LibraryNotice._meta.fields_map["created_at"]


async def recipients(enterprise_ids: Iterable[int], now: datetime) -> dict[int, list[int]]:
    """Enterprise id -> the people (ids) a library notice of it goes to; enterprises with nobody are left out."""
    wanted = set(enterprise_ids)
    if not wanted:
        return {}
    authorised = set(await ModuleAuthorisation.filter(enterprise_id__in=wanted, module=LIBRARY_MODULE,
                                                      revoked_at__isnull=True)
                     .values_list("enterprise_id", "person_id"))
    found: dict[int, list[int]] = {}
    members = await Membership.filter(enterprise_id__in=wanted, active=True, person__active=True).order_by("id")
    for membership in members:
        if (membership.enterprise_id, membership.person_id) in authorised \
                and (await compute(membership, now)).allows(LIBRARY_QUERY):
            found.setdefault(membership.enterprise_id, []).append(membership.person_id)
    return found


async def claim_notice(conn: BaseDBAsyncClient, enterprise_id: int, key: str, figures: dict[str, Any],
                       now: datetime) -> bool:
    """Insert the notice's row in ``conn``; False when it was written before (then write nothing)."""
    placeholder = "?::jsonb" if dialect(conn) == "postgres" else "?"
    moment: Any = now if dialect(conn) == "postgres" else _CREATED_AT.to_db_value(now, LibraryNotice)
    inserted = await execute(conn, "INSERT INTO library_notice (enterprise_id, key, figures, created_at) "
                                   f"VALUES (?, ?, {placeholder}, ?) ON CONFLICT (enterprise_id, key) DO NOTHING",
                             enterprise_id, key, json.dumps(figures, ensure_ascii=False), moment)
    return inserted > 0
