"""admin_web."""
