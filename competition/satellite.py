"""A second laptop for a second track: record locally, forward every impulse to the hub.

The satellite (``trackside timing listen … --forward http://HUB:8080 --token T``)
keeps its own event file, so a dead hub or a dropped Wi-Fi loses nothing: the
recorder journals every impulse locally as always, and the ``Forwarder``
thread sends what the hub does not have yet, oldest first, until the hub
acknowledges it. The hub records each through the same path as a live
impulse (``competition.timing.record_impulse``), so its dedupe by
(device, seq, channel, time) and the satellite's own local sequence number
both make a resent impulse count once; a backlog after an outage catches up
in order.

Clocks: an impulse the satellite's host stamped (a plain pad) carries the
satellite's monotonic clock, which means nothing on the hub. The hub keeps
that stamp as the impulse's *device* time on a device named after the
satellite, so runs are timed on the satellite's own clock (exact), and moves
``host_ns`` onto its own clock only for display.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused

if TYPE_CHECKING:
    from competition.event import Event

BATCH = 100
HEARTBEAT_S = 2.0
FIELDS = ("protocol", "device", "channel", "channel_raw", "device_seq", "device_time_ns", "clock_modulus_ns",
          "resolution_ns", "host_ns", "bib", "manual", "replayed", "cleared", "bad_checksum", "raw")


# -- the hub's side ------------------------------------------------------------


def acked_through(event: Event, satellite: str) -> int:
    """The newest local sequence number of ``satellite`` this hub has recorded (0 for none)."""
    row = event.store.query("SELECT MAX(local_seq) AS n FROM satellite_impulses WHERE satellite = ?", (satellite,))
    return int(row[0]["n"] or 0)


def _impulse(item: dict[str, Any], satellite: str, clock_offset_ns: int) -> Any:
    from hardware.impulse import Channel, Impulse

    try:
        channel = Channel(item["channel"])
        host_stamped = item["device_time_ns"] is None
        return Impulse(
            protocol=str(item["protocol"]), device=f"{satellite}/{item['device']}", channel=channel,
            channel_raw=str(item["channel_raw"]), device_seq=_int_or_none(item["device_seq"]),
            device_time_ns=int(item["host_ns"]) if host_stamped else int(item["device_time_ns"]),
            clock_modulus_ns=None if host_stamped else _int_or_none(item["clock_modulus_ns"]),
            resolution_ns=int(item["resolution_ns"]), host_ns=int(item["host_ns"]) + clock_offset_ns,
            bib=_int_or_none(item["bib"]), manual=bool(item["manual"]), replayed=bool(item["replayed"]),
            cleared=bool(item["cleared"]), bad_checksum=bool(item["bad_checksum"]),
            raw=base64.b64decode(str(item["raw"]), validate=True),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise CommandRefused(f"副机发来的脉冲格式错误：{exc}", f"Malformed impulse from the satellite: {exc}") from exc


def _int_or_none(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not -(2**62) < value < 2**62:
        raise ValueError(f"not an integer in range: {value!r}")
    return value


def accept_impulses(
    event: Event, *, satellite: str, track: int, items: list[dict[str, Any]], satellite_now_ns: int,
) -> dict[str, Any]:
    """Record a batch from a satellite in its order; what the hub has already is skipped."""
    from competition.timing import record_impulse

    offset = time.monotonic_ns() - satellite_now_ns
    recorded = duplicates = 0
    for item in sorted(items, key=lambda i: int(i["local_seq"])):
        local_seq = _int_or_none(item.get("local_seq"))
        if local_seq is None or local_seq < 1:
            raise CommandRefused("副机脉冲缺少序号。", "A satellite impulse has no local_seq.")
        with event.store.transaction():
            if event.store.query("SELECT 1 FROM satellite_impulses WHERE satellite = ? AND local_seq = ?",
                                 (satellite, local_seq)):
                duplicates += 1
                continue
            outcome = record_impulse(event, _impulse(item, satellite, offset), track=track)
            event.store.append("satellite_impulse_received",
                               {"satellite": satellite, "local_seq": local_seq, "impulse_seq": outcome.seq})
            if outcome.seq is None:
                duplicates += 1
            else:
                recorded += 1
    return {"ok": True, "acked_through": acked_through(event, satellite), "recorded": recorded,
            "duplicates": duplicates}


# -- the satellite's side -----------------------------------------------------------


@dataclass
class ForwarderStatus:
    online: bool = False
    backlog: int = 0
    forwarded: int = 0
    last_error: str | None = None


class Forwarder:
    """Sends the local event file's impulses to the hub, in order, until acknowledged."""

    def __init__(self, db_path: str | Path, hub_url: str, token: str, *,
                 on_status: Callable[[ForwarderStatus], None] | None = None, timeout_s: float = 5.0) -> None:
        self.db_path = str(db_path)
        self.hub_url = hub_url.rstrip("/")
        self.token = token
        self.on_status = on_status
        self.timeout_s = timeout_s
        self.status = ForwarderStatus()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="satellite-forwarder", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout_s + 2)

    def _post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.hub_url + path, data=data, method="GET" if body is None else "POST",
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:
            return json.loads(answer.read() or b"{}")

    def _report(self, **changes: Any) -> None:
        before = (self.status.online, self.status.backlog, self.status.last_error)
        for key, value in changes.items():
            setattr(self.status, key, value)
        if self.on_status and before != (self.status.online, self.status.backlog, self.status.last_error):
            self.on_status(self.status)

    def _run(self) -> None:
        from competition.event import Event

        event = Event.open(self.db_path, terminal="satellite-forwarder")
        acked: int | None = None
        delay = 0.5
        seen_version = -1
        last_sent = 0.0
        try:
            while not self._stop.is_set():
                # Send at once when the local file changed, else a heartbeat every HEARTBEAT_S.
                version = event.store.data_version()
                if acked is not None and version == seen_version and time.monotonic() - last_sent < HEARTBEAT_S:
                    self._stop.wait(0.05)
                    continue
                seen_version = version
                try:
                    if acked is None:
                        acked = int(self._post("/api/impulses/ack")["acked_through"])
                    rows = event.store.query("SELECT * FROM impulses WHERE seq > ? ORDER BY seq LIMIT ?", (acked, BATCH))
                    backlog = int(event.store.query("SELECT COUNT(*) AS n FROM impulses WHERE seq > ?", (acked,))[0]["n"])
                    items = [{"local_seq": r["seq"], **{k: r[k] for k in FIELDS}} for r in rows]
                    answer = self._post("/api/impulses", {"now_ns": time.monotonic_ns(), "backlog": backlog,
                                                          "impulses": items})
                    if not answer.get("ok"):
                        raise RuntimeError(answer.get("reason_en") or "refused")
                    acked = int(answer["acked_through"])
                    last_sent = time.monotonic()
                    self.status.forwarded += int(answer.get("recorded", 0))
                    self._report(online=True, backlog=max(0, backlog - len(items)), last_error=None)
                    delay = 0.5
                    if len(rows) == BATCH:
                        seen_version = -1  # more waiting: send the next batch at once
                except urllib.error.HTTPError as exc:
                    self._report(online=False, last_error=f"HTTP {exc.code}")
                    acked = None
                    self._stop.wait(delay)
                    delay = min(delay * 2, 5.0)
                except (OSError, ValueError, RuntimeError, KeyError) as exc:
                    self._report(online=False, last_error=str(exc)[:200])
                    acked = None  # ask again: the hub may have restarted from a backup
                    self._stop.wait(delay)
                    delay = min(delay * 2, 5.0)
        finally:
            event.close()
