"""The customs desk's administration: settings, offices, customs accounts, the audit log, statistics, reference data."""
