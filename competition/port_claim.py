"""One port, one reader: a claim on the device itself, not on the name it was opened by.

``PortClaim`` takes an advisory ``flock`` per identity of the port (its resolved
path and its device number), so ``/dev/ttyUSB0``, its ``/dev/serial/by-id/…``
link and a relative path are one claim. The reader thread also locks the opened
device (``hardware.supervisor``: pyserial ``exclusive=True``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from competition.errors import TracksideError


class PortInUse(TracksideError):
    """Another Trackside process already reads this port."""


def port_identities(url: str) -> list[str]:
    """What makes two names the same port: the resolved path, and the device number.

    ``/dev/ttyUSB0``, its ``/dev/serial/by-id/…`` link and ``../dev/ttyUSB0``
    all resolve (``os.path.realpath``) to one path; a second device node for the
    same device (or a bind mount) still has the same ``st_rdev``. URLs such as
    ``socket://`` are compared as written; ``loop://`` is one per process.
    """
    if url.startswith("loop://"):
        # pyserial's loop:// lives inside one process: another process's loop:// is another port.
        return [f"url:{url}#pid{os.getpid()}"]
    if "://" in url:
        return [f"url:{url}"]
    real = os.path.realpath(url)
    keys = [f"path:{real}"]
    try:
        st = os.stat(real)
    except OSError:
        return keys
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        keys.append(f"rdev:{st.st_rdev}")
    return keys


class PortClaim:
    """An advisory lock so only one process on this machine reads a given port.

    Keyed by the port's identities (:func:`port_identities`), so two names for
    one device are one claim. The reader also locks the opened device itself
    (``hardware.supervisor``), which covers a link made after this claim.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.paths = [
            Path(tempfile.gettempdir()) / f"trackside-port-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}.lock"
            for key in port_identities(url)
        ]
        self.path = self.paths[0]
        self._fhs: list[Any] = []

    def acquire(self) -> None:
        for path in self.paths:
            fh = path.open("a+")
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                fh.seek(0)
                holder = fh.read().strip()
                fh.close()
                self.release()
                who_zh = f"（进程 {holder}）" if holder.isdigit() else ""
                who_en = f" (process {holder})" if holder.isdigit() else ""
                raise PortInUse(
                    f"端口 {self.url} 已被另一个 Trackside 进程使用{who_zh}（计时终端或 timing listen）。"
                    "同一端口只能由一个进程读取，别名或链接也算同一端口。",
                    f"Port {self.url} is already read by another Trackside process{who_en}. Only one process may "
                    "own a port, whatever name or link it is opened by.",
                ) from None
            fh.seek(0)
            fh.truncate()
            fh.write(f"{os.getpid()}\n")
            fh.flush()
            self._fhs.append(fh)

    def release(self) -> None:
        fhs, self._fhs = self._fhs, []
        for fh in fhs:
            fcntl.flock(fh, fcntl.LOCK_UN)
            fh.close()
