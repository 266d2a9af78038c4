"""Whether a venue server is serving an event file, for the app's status bar.

The server writes ``<event file>.serving.json`` (its pid and addresses) while
it runs and removes it when it stops; a file left by a killed server is
recognised by its dead pid. This file is beside the event file, never
inside it, and holds nothing personal.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SIOCGIFADDR = 0x8915
DEFAULT_PORT = 8080


def marker_path(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".serving.json")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serving(db_path: str | Path) -> dict[str, Any] | None:
    """``{"pid", "urls"}`` of the live server on this event file, or ``None``."""
    path = marker_path(db_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        pid = int(data["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _alive(pid):
        return None
    return {"pid": pid, "urls": [str(u) for u in data.get("urls", [])]}


def mark_serving(db_path: str | Path, urls: list[str]) -> Path:
    path = marker_path(db_path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "urls": urls}), encoding="utf-8")
    os.replace(tmp, path)
    return path


def unmark_serving(db_path: str | Path) -> None:
    path = marker_path(db_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if int(data.get("pid", -1)) == os.getpid():
            path.unlink()
    except (OSError, ValueError, TypeError):
        pass


def local_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback (what phones on the Wi-Fi can reach)."""
    found: list[str] = []
    try:
        names = [name for _, name in socket.if_nameindex()]
    except OSError:
        names = []
    for name in names:
        if name == "lo":
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                packed = fcntl.ioctl(s.fileno(), SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
            except OSError:
                continue  # no IPv4 address on this interface
            addr = socket.inet_ntoa(packed[20:24])
            if not addr.startswith("127.") and addr not in found:
                found.append(addr)
    if not found:
        try:
            for addr in socket.gethostbyname_ex(socket.gethostname())[2]:
                if not addr.startswith("127.") and addr not in found:
                    found.append(addr)
        except OSError:
            pass
    return found


def venue_url(db_path: str | Path, given: str | None = None) -> str | None:
    """The address phones use: the one given, the running server's, else this machine's on port 8080."""
    if given:
        return given if given.endswith("/") else given + "/"
    live = serving(db_path)
    if live and live["urls"]:
        return live["urls"][0]
    addresses = local_addresses()
    return f"http://{addresses[0]}:{DEFAULT_PORT}/" if addresses else None


def satellites_file(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".satellites.json")


def satellite_states(db_path: str, *, stale_s: int = 10) -> list[dict[str, Any]]:
    """Each satellite's last report; ``online`` is false once it has been quiet for ``stale_s``."""
    try:
        entries = json.loads(satellites_file(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    now = datetime.now(UTC)
    for e in entries:
        e.pop("mono_s", None)
        last = datetime.fromisoformat(e["last_seen"])
        e["online"] = (now - last).total_seconds() <= stale_s
    return entries
