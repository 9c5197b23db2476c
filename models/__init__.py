"""Persistence models (tortoise-orm) and the pure question lifecycle (``models.lifecycle``).

Models carry fields, indexes and constraints only; rules live in ``models.lifecycle`` and ``services``.
"""

MODEL_MODULES = [
    "models.offices",
    "models.enterprises",
    "models.customs_accounts",
    "models.catalog",
    "models.questions",
    "models.outbox",
    "models.audit",
    "models.registrations",
    "models.identities",
    "models.cards",
    "models.jobs",
    "models.wechat",
    "models.workspace",
    "models.company",
    "models.messages",
    "models.departments",
    "models.joins",
    "models.personal",
    "models.library",
    "models.declarations",
    "models.declaration_exceptions",
    "models.declaration_sync",
]
