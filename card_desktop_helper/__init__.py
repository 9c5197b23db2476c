"""card_desktop_helper."""
