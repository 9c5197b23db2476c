"""The customs queue, the question page and the AEO record in the admin web."""
