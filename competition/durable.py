"""Making a rename durable: fsync the folder that holds it (best effort)."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries to disk so a rename into it survives a power cut.

    Best effort: not every filesystem (or platform) lets a folder be opened and synced.
    """
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
