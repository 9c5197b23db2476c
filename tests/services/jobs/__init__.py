"""The background jobs: claims, leases, the worker, the Excel kit."""
