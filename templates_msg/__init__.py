"""templates_msg."""
