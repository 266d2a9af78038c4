"""Serial reader benchmark: PortSupervisor over a pty vs a bare pyserial loop.

Measures, in the same run:

* sustained impulses per second through ``PortSupervisor`` (pad lines written
  as fast as the pty accepts them), and how many were lost (must be 0);
* latency from ``os.write`` on the pty master to ``on_frame`` (p50, p99) at a
  steady 200 impulses/s, against a bare ``serial.Serial`` read loop that splits
  lines itself (the floor any reader could reach on this machine).

The per-impulse work is pluggable: ``VARIANTS`` maps a name to a factory that
returns ``(on_bytes, on_frame)`` callbacks to run inside the reader thread, so
the SQLite-durable journal variant can be added next to "plain" and measured
the same way (``python bench/bench_serial_reader.py --variant NAME``).

Run: ``python bench/bench_serial_reader.py``. Prints a table and BENCH| lines.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import serial

from hardware.decoder import Decoded
from hardware.impulse import Impulse
from hardware.protocols import get_protocol
from hardware.protocols.pad import encode_line
from hardware.pty_port import PtyLink
from hardware.supervisor import PortStatus, PortSupervisor

OnBytes = Callable[[bytes, int], None]
OnFrame = Callable[[Decoded], None]


def _plain() -> tuple[OnBytes, OnFrame]:
    """No per-impulse work beyond the supervisor's own."""
    return (lambda chunk, host_ns: None), (lambda item: None)


# name -> factory of (on_bytes, on_frame) run in the reader thread for every chunk / frame.
VARIANTS: dict[str, Callable[[], tuple[OnBytes, OnFrame]]] = {"plain": _plain}


class Pty:
    """A raw pty pair; the slave path is what the reader opens."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)

    def close(self) -> None:
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


def _line(seq: int) -> bytes:
    return encode_line(boot=1, seq=seq, channel_raw="S" if seq % 2 else "F", millis=seq)


def _percentile(values: list[int], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e6


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def run_supervisor(n: int, rate: float | None, variant: str) -> tuple[float, int, list[int]]:
    """Returns (impulses per second received, lost count, latencies in ns)."""
    pty = Pty()
    on_bytes, on_frame_extra = VARIANTS[variant]()
    written: dict[int, int] = {}
    received: dict[int, int] = {}
    online = threading.Event()
    all_in = threading.Event()

    def on_frame(item: Decoded) -> None:
        now = time.monotonic_ns()
        on_frame_extra(item)
        if isinstance(item, Impulse) and item.device_seq is not None:
            received.setdefault(item.device_seq, now)
            if len(received) >= n:
                all_in.set()

    def on_status(status: PortStatus) -> None:
        if status.online:
            online.set()

    sup = PortSupervisor(pty.path, get_protocol("pad"), on_bytes=on_bytes, on_frame=on_frame,
                         on_status=on_status)
    sup.start()
    online.wait(5)
    time.sleep(0.05)
    lines = [_line(seq) for seq in range(1, n + 1)]
    t0 = time.monotonic_ns()
    for seq, line in enumerate(lines, start=1):
        if rate:
            due = t0 + int((seq - 1) * 1e9 / rate)
            while time.monotonic_ns() < due:
                time.sleep(max(0.0, (due - time.monotonic_ns()) / 1e9 - 0.0002))
        written[seq] = time.monotonic_ns()
        _write_all(pty.master, line)
    all_in.wait(30)
    t1 = max(received.values()) if received else time.monotonic_ns()
    sup.stop()
    pty.close()
    lost = n - len(received)
    latencies = [received[s] - written[s] for s in received]
    return len(received) / ((t1 - t0) / 1e9), lost, latencies


def run_bare(n: int, rate: float) -> list[int]:
    """The same paced stream read by a minimal pyserial loop (no decoding, no callbacks)."""
    pty = Pty()
    port = serial.Serial(pty.path, 115200, timeout=0.05)
    written: dict[int, int] = {}
    received: list[int] = []
    stop = threading.Event()

    def reader() -> None:
        buf = bytearray()
        while not stop.is_set() and len(received) < n:
            first = port.read(1)
            if not first:
                continue
            waiting = port.in_waiting
            buf += first + (port.read(waiting) if waiting else b"")
            now = time.monotonic_ns()
            while (i := buf.find(b"\n")) >= 0:
                del buf[: i + 1]
                received.append(now)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    time.sleep(0.05)
    t0 = time.monotonic_ns()
    for seq in range(1, n + 1):
        due = t0 + int((seq - 1) * 1e9 / rate)
        while time.monotonic_ns() < due:
            time.sleep(max(0.0, (due - time.monotonic_ns()) / 1e9 - 0.0002))
        written[seq] = time.monotonic_ns()
        _write_all(pty.master, _line(seq))
    thread.join(10)
    stop.set()
    port.close()
    pty.close()
    return [received[i] - written[i + 1] for i in range(len(received))]


def run_reconnect(unplugged_s: float, tries: int) -> list[float]:
    """Seconds from putting the cable back (pty replug) until the supervisor is online again."""
    results: list[float] = []
    for _ in range(tries):
        link = PtyLink()
        online = threading.Event()
        offline = threading.Event()

        def on_status(status: PortStatus, online: threading.Event = online,
                      offline: threading.Event = offline) -> None:
            (online if status.online else offline).set()
            (offline if status.online else online).clear()

        sup = PortSupervisor(link.url, get_protocol("pad"), on_bytes=lambda c, t: None,
                             on_frame=lambda i: None, on_status=on_status)
        sup.start()
        online.wait(5)
        link.unplug()
        offline.wait(5)
        time.sleep(unplugged_s)
        t0 = time.monotonic()
        link.replug()
        online.wait(5)
        results.append(time.monotonic() - t0)
        sup.stop()
        link.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variant", default="plain", choices=sorted(VARIANTS))
    parser.add_argument("--burst", type=int, default=20_000, help="impulses for the throughput run")
    parser.add_argument("--paced", type=int, default=1_000, help="impulses for the latency runs")
    parser.add_argument("--rate", type=float, default=200.0, help="impulses/s for the latency runs")
    args = parser.parse_args()
    # The reconnect runs unplug on purpose; their warnings are expected noise here.
    logging.getLogger("hardware").setLevel(logging.ERROR)

    throughput, lost_burst, _ = run_supervisor(args.burst, None, args.variant)
    _, lost_paced, lat = run_supervisor(args.paced, args.rate, args.variant)
    bare = run_bare(args.paced, args.rate)
    reconnect = run_reconnect(0.2, 3) + run_reconnect(3.0, 2)

    rows = [
        ("supervisor throughput", f"{throughput:,.0f} impulses/s", ">= 1000/s"),
        ("supervisor lost (burst + paced)", f"{lost_burst + lost_paced} impulses", "0 impulses"),
        ("supervisor latency p50", f"{_percentile(lat, 0.5):.3f} ms", "< 5 ms"),
        ("supervisor latency p99", f"{_percentile(lat, 0.99):.3f} ms", "< 20 ms"),
        ("bare pyserial latency p50", f"{_percentile(bare, 0.5):.3f} ms", "reference"),
        ("bare pyserial latency p99", f"{_percentile(bare, 0.99):.3f} ms", "reference"),
        ("reconnect after replug, worst", f"{max(reconnect) * 1000:.0f} ms", "< 1100 ms"),
        ("supervisor - bare, median", f"{statistics.median(lat) / 1e6 - statistics.median(bare) / 1e6:+.3f} ms",
         "< 1 ms"),
    ]
    print(f"Serial reader over a pty (variant {args.variant!r}; {args.burst} burst, "
          f"{args.paced} paced at {args.rate:g}/s)")
    width = max(len(r[0]) for r in rows)
    for what, figure, target in rows:
        print(f"  {what:<{width}}  {figure:>20}   target {target}")
    keys = ["serial_reader_throughput", "serial_reader_lost", "serial_reader_latency_p50",
            "serial_reader_latency_p99", "bare_pyserial_latency_p50", "bare_pyserial_latency_p99",
            "serial_reader_reconnect_after_replug_max", "serial_reader_overhead_vs_bare_p50"]
    suffix = "" if args.variant == "plain" else f"_{args.variant}"
    for key, (_, figure, target) in zip(keys, rows, strict=True):
        print(f"BENCH|{key}{suffix}|{figure}|{target}")


if __name__ == "__main__":
    main()
