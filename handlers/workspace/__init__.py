"""The enterprise workspace at /workbench (desktop) and its JSON API under /api/v1/workspace."""
