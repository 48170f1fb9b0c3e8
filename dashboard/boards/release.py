"""Which release this web process serves, so that screens loaded from another one reload."""

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings

# What a screen runs: its scripts and styles, and the pages that load them.
SERVED_FOLDERS = ("static", "templates")


def fingerprint(folders: list[Path]) -> str:
    """A short digest of every file's path and bytes: equal on every process of one release."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@cache
def current_release() -> str:
    """`RELEASE` when set (an image tag, say), else the fingerprint of what screens load."""
    if settings.RELEASE:
        return str(settings.RELEASE)
    return fingerprint([Path(settings.BASE_DIR) / name for name in SERVED_FOLDERS])
