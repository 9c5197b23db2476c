"""The one error family of the domain, with stable codes and HTTP statuses (imported by the pure lifecycle too).

Every message is the Chinese text shown to the user; edges (API, pages, bot) map these once.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user may see. ``field`` names the offending input, if any."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class ValidationFailed(DomainError):
    """Bad input. ``errors`` maps every offending field to its message when a whole body was checked at once;
    ``message``/``field`` are then the first of them, so a reader of one error sees the same as before."""

    code = "validation_failed"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, errors: dict[str, str] | None = None) -> None:
        super().__init__(message, field=field)
        self.errors: dict[str, str] = dict(errors) if errors else ({field: message} if field else {})
        self.all_at_once = bool(errors)

    @classmethod
    def of(cls, errors: dict[str, str]) -> ValidationFailed:
        """Several fields refused at once (``errors`` is not empty); the first leads."""
        field, message = next(iter(errors.items()))
        return cls(message, field=field, errors=errors)

    def to_dict(self) -> dict[str, object]:
        error: dict[str, object] = {"code": self.code, "message": self.message, "field": self.field}
        if self.all_at_once:
            error["fields"] = dict(self.errors)
        return {"error": error}


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class IllegalTransition(DomainError):
    """The transition table refuses this action in this status or for this actor."""

    code = "illegal_transition"
    status = 409


class RateLimited(DomainError):
    """Too many attempts; the message says when to try again."""

    code = "rate_limited"
    status = 429


class ServiceUnavailable(DomainError):
    """An outside service (WeChat, the SMS provider) did not take the request; trying later may work."""

    code = "service_unavailable"
    status = 503


class Conflict(DomainError):
    """Someone else changed the object first (a compare-and-set lost)."""

    code = "conflict"
    status = 409


class NotSignedIn(DomainError):
    """No valid sign-in: the API answers 401, a page sends the user to sign in."""

    code = "not_signed_in"
    status = 401
