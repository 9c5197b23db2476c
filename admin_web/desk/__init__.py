"""Settings, audit log and statistics in the admin web."""
