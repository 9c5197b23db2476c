"""The helper's own config file: port, allowed site origins, the pairing token of this install.

Created on first start with a random pairing token. A copy downloaded from the site carries ``site.json`` (the
site's address and the port its pages call), so the site is allowed without anybody editing this file.
Default place: ``%APPDATA%\\QinglingCardHelper\\config.json`` on Windows,
``~/.config/qingling-card-helper/config.json`` elsewhere; ``--config`` chooses another file.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_PORT = 17380
SITE_FILE = "site.json"  # written into the download by the site that serves it


@dataclass(frozen=True)
class HelperSettings:
    pairing_token: str
    allowed_origins: tuple[str, ...] = ("http://127.0.0.1:8000",)
    port: int = DEFAULT_PORT
    reader_filter: str = ""  # use only readers whose name contains this
    path: Path | None = field(default=None, compare=False)

    def save(self) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {k: v for k, v in asdict(self).items() if k != "path"}
        data["allowed_origins"] = list(self.allowed_origins)
        self.path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        if os.name != "nt":
            self.path.chmod(0o600)  # the pairing token is for this user only


def default_path() -> Path:
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "QinglingCardHelper" / "config.json"
    return Path.home() / ".config" / "qingling-card-helper" / "config.json"


def site_defaults() -> dict[str, Any]:
    """``site.json`` of a downloaded copy (``allowed_origins``, ``port``); empty when run from the source tree."""
    found = resources.files("card_desktop_helper").joinpath(SITE_FILE)
    if not found.is_file():
        return {}
    data = json.loads(found.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def load(path: Path | None = None) -> HelperSettings:
    """Read the config file, creating it (with a fresh pairing token) when absent; the site a downloaded copy
    came from is always allowed."""
    path = path or default_path()
    site = site_defaults()
    site_origins = [str(o).rstrip("/") for o in site.get("allowed_origins", [])]
    if not path.exists():
        settings = HelperSettings(pairing_token=secrets.token_urlsafe(18), path=path,
                                  port=int(site.get("port", DEFAULT_PORT)),
                                  allowed_origins=tuple(site_origins) or HelperSettings.allowed_origins)
        settings.save()
        return settings
    raw = json.loads(path.read_text(encoding="utf-8"))
    origins = tuple(dict.fromkeys([*(str(o).rstrip("/") for o in raw.get("allowed_origins", [])), *site_origins]))
    return HelperSettings(pairing_token=str(raw["pairing_token"]), allowed_origins=origins,
                          port=int(raw.get("port", DEFAULT_PORT)), reader_filter=str(raw.get("reader_filter", "")),
                          path=path)
