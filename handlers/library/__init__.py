"""The declaration-standard library's enterprise side: the enterprise library (desktop and H5, card-gated), the
public library (anonymous H5 and the desktop), and their JSON API."""
