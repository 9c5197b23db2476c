"""The enterprise workspace (seed 003): the permission tree, roles, grants and the permission decision."""
