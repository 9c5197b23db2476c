"""Who is acting: an enterprise person, a customs account, or the scheduler."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonActor:
    """A signed-in enterprise user; their role comes from their membership in the question's enterprise."""

    person_id: int


@dataclass(frozen=True)
class CustomsActor:
    """A signed-in customs account; scope and role come from the account."""

    account_id: int
    ip: str | None = None
