"""Uploaded files on local disk, under one root, addressed by random storage keys.

A key is ``ab/cd/<32 hex digits><suffix>``: random (nothing about the uploader or the question leaks into
paths), sharded over two directory levels so no directory grows huge. A file is written to a temporary name
in its final directory and renamed into place, so a reader never sees half a file. Disk I/O runs in a
thread (``asyncio.to_thread``) to keep the event loop free.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from pathlib import Path

from models.errors import NotFound

_KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}(\.[a-z0-9]{1,8})?")
_SUFFIX = re.compile(r"(\.[a-z0-9]{1,8})?")
FILE_NOT_FOUND = "文件不存在"


class FileStorage:
    """Files under ``root``; keys are made here and checked on every use, so no key leaves the root."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    async def put(self, data: bytes, *, suffix: str = "") -> str:
        """Store ``data`` under a new random key and return the key."""
        if not _SUFFIX.fullmatch(suffix):
            raise ValueError(f"bad file suffix {suffix!r}")
        token = secrets.token_hex(16)
        key = f"{token[:2]}/{token[2:4]}/{token}{suffix}"
        await asyncio.to_thread(self._write, self.path(key), data)
        return key

    async def read(self, key: str) -> bytes:
        """The stored bytes; NotFound when there is no such file."""
        try:
            return await asyncio.to_thread(self.path(key).read_bytes)
        except FileNotFoundError:
            raise NotFound(FILE_NOT_FOUND) from None

    async def delete(self, key: str) -> None:
        """Remove the file; a missing file is not an error (deleting twice is harmless)."""
        await asyncio.to_thread(self.path(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path(key).is_file)

    def path(self, key: str) -> Path:
        """The file's path; a key this storage could not have made (``..``, absolute, …) is NotFound."""
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise NotFound(FILE_NOT_FOUND)
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):  # a symlinked shard pointing elsewhere
            raise NotFound(FILE_NOT_FOUND)
        return path

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            with open(temporary, "xb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
