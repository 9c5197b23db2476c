"""The helper's own config file: port, allowed site origins, the pairing token of this install.

Created on first start with a random pairing token. Default place: ``%APPDATA%\\QinglingCardHelper\\config.json``
on Windows, ``~/.config/qingling-card-helper/config.json`` elsewhere; ``--config`` chooses another file.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_PORT = 17380


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


def load(path: Path | None = None) -> HelperSettings:
    """Read the config file, creating it (with a fresh pairing token) when absent."""
    path = path or default_path()
    if not path.exists():
        settings = HelperSettings(pairing_token=secrets.token_urlsafe(18), path=path)
        settings.save()
        return settings
    raw = json.loads(path.read_text(encoding="utf-8"))
    origins = tuple(str(o).rstrip("/") for o in raw.get("allowed_origins", []))
    return HelperSettings(pairing_token=str(raw["pairing_token"]), allowed_origins=origins,
                          port=int(raw.get("port", DEFAULT_PORT)), reader_filter=str(raw.get("reader_filter", "")),
                          path=path)
