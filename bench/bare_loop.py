"""The bare reference of bench_timing_pipeline.py: a plain pyserial loop doing durable inserts.

``python bench/bare_loop.py DB PTY [--nice N]`` reads the pad lines arriving on
PTY the way ``PortSupervisor`` reads (stamp the first byte, take what waits
with it) and, per chunk, writes the raw chunk and one row per line in one
transaction (WAL, ``synchronous=FULL``): nothing else, no parsing beyond the
split, no pairing, no journal. It runs in a process of its own, as the
recorder does, so the bench's poller threads never share its interpreter;
``--nice N`` asks for the priority the recorder asks for (the bench passes the
recorder's), so that beside the app both get the same share of the cores.
Prints ``ready nice <n>`` once the port is open; stops when stdin closes.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import threading
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("pty")
    parser.add_argument("--nice", type=int, default=None)
    args = parser.parse_args()
    if args.nice is not None:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, args.nice)
        except OSError:
            pass  # not permitted: the figures say which nice it ran at
    import serial

    db = sqlite3.connect(args.db, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE IF NOT EXISTS raw (id INTEGER PRIMARY KEY, host_ns INTEGER, data BLOB)")
    db.execute("CREATE TABLE IF NOT EXISTS impulses (seq INTEGER PRIMARY KEY, device TEXT, device_seq INTEGER,"
               " line TEXT, host_ns INTEGER)")
    db.execute("CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, kind TEXT, payload TEXT)")
    port = serial.Serial(args.pty, 115200, timeout=0.05)
    stop = threading.Event()

    def reader() -> None:
        buf = b""
        while not stop.is_set():
            first = port.read(1)  # as PortSupervisor reads: stamp the first byte, take what waits with it
            if not first:
                continue
            host_ns = time.monotonic_ns()
            waiting = port.in_waiting
            chunk = first + port.read(min(waiting, 4096)) if waiting else first
            buf += chunk
            lines = buf.split(b"\n")
            buf = lines.pop()
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO raw (host_ns, data) VALUES (?, ?)", (host_ns, chunk))
            for line in lines:
                fields = line.decode("ascii").split(",")
                db.execute("INSERT INTO impulses (device, device_seq, line, host_ns) VALUES (?, ?, ?, ?)",
                           (f"pad:{fields[1]}", int(fields[2]), line.decode("ascii"), host_ns))
            db.execute("COMMIT")

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    print(f"ready nice {os.getpriority(os.PRIO_PROCESS, 0)}", flush=True)
    sys.stdin.read()
    stop.set()
    thread.join()
    port.close()
    db.close()


if __name__ == "__main__":
    main()
