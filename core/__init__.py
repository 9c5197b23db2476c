"""Core: configuration, app factory, database and cache set-up, errors, the CLI."""
