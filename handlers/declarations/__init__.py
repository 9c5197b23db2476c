"""报关单 in the workspace: the entry pages and the JSON API."""
