"""Every audited action and object the code writes has a Chinese label on the audit page."""

from __future__ import annotations

import re
from pathlib import Path

from services.desk.labels import ACTION_LABELS, OBJECT_LABELS

ROOT = Path(__file__).resolve().parents[2]
# `record(ctx, who, "action", "object_type", ...)` and the settings pages' `audit(ctx, actor, admin, ...)`.
CALL = re.compile(r"\b(?:record|audit)\(ctx,[^\"]*?\"([a-z_]+(?:\.[a-z_]+)?)\",\s*\"([a-z_]+)\"", re.S)
# Actions built from a variable part, spelled out.
COMPOSED = {f"question.{a}" for a in ("accept", "reply", "forward", "publish", "unpublish")} | {
    f"registration.{s}" for s in ("approved", "rejected", "card", "form", "wechat")} | {
    f"{kind}.{a}" for kind in ("question_type", "business_category")
    for a in ("create", "rename", "move", "activate", "deactivate")} | {
    f"customs_office.{a}" for a in ("activate", "deactivate", "accepts_questions")} | {
    f"customs_account.{a}" for a in ("activate", "deactivate")} | {"role.add", "role.edit"} | {
    f"company.{a}" for a in ("info", "logo", "seal", "switches", "carousel", "links")} | {
    f"join.{s}" for s in ("approved", "refused")} | {
    f"department.{a}" for a in ("add", "rename", "move", "delete")} | {
    f"personal.{kind}{done}" for kind in ("avatar", "stamp") for done in ("", "_removed")} | {
    "personal.profile", "personal.preferences", "personal.preferences_reset", "library.choose", "library.unchoose",
    "library.publish", "library.withdraw"} | {
    "declaration.print", "declaration.print_notice"}  # services/declarations/printing.py PrintDocument.audit_action


def written() -> set[tuple[str, str]]:
    found = set()
    for folder in ("services", "handlers", "admin_web", "bot"):
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(CALL.findall(path.read_text(encoding="utf-8")))
    return found


def test_the_scan_finds_the_calls() -> None:
    assert ("outbox.retry", "outbox_message") in written() and len(written()) > 20


def test_every_action_written_has_a_label() -> None:
    actions = {action for action, _ in written()} | COMPOSED
    assert sorted(a for a in actions if a not in ACTION_LABELS) == []


def test_every_object_type_written_has_a_label() -> None:
    assert sorted({kind for _, kind in written()} - set(OBJECT_LABELS)) == []
