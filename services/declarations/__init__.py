"""报关单 (MODULES.md §4): entry, statuses, checks and hints of the declarations feature.

Importing the feature registers its open items with the workspace's hand-over (``open_items``).
"""

from services.declarations import open_items as open_items
