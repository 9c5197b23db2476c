"""Failed notifications in the admin web."""
