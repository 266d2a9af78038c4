"""Trackside app: start-up time, and key-press-to-screen latency with 500 riders.

Run ``python bench/bench_tui.py``. Headless (Textual's ``run_test``), on an
event file in a temp folder: 500 riders registered, 400 finished, two riders
on course. Latency is measured from the key press of an infraction (segment
digit already armed) until the rider's penalties on screen show the new total,
the screen having refreshed the board (standings of 500 included) and the
next frame drawn (a spy on ``App._display``, which sends each frame out);
Pilot's own settling waits are not counted.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from competition import start_queue, timing  # noqa: E402
from competition.event import Event  # noqa: E402
from competition.search import search_key  # noqa: E402
from courses.loader import load_course  # noqa: E402
from hardware.impulse import Channel, Impulse  # noqa: E402

S = 1_000_000_000
RIDERS = 500
FINISHED = 400
PRESSES = 40


def _impulse(channel: Channel, host_ns: int, seq: int) -> Impulse:
    return Impulse(protocol="pad", device="pad:bench", channel=channel, channel_raw=channel.value[0], device_seq=seq,
                   device_time_ns=None, clock_modulus_ns=None, resolution_ns=1_000_000, host_ns=host_ns, bib=None,
                   manual=False, replayed=False, cleared=False, bad_checksum=False, raw=b"x")


def make_event(path: Path) -> None:
    event = Event.create(path, title="基准测试", course=load_course(None), day="2026-11-28")
    with event.store.transaction():
        for bib in range(1, RIDERS + 1):
            event.store.append("entrant_registered", {
                "bib": bib, "name": f"选手{bib}", "phone": f"139{bib:08d}", "platform": ["美团", "饿了么"][bib % 2],
                "station": None, "gender": None, "id_number": None, "note": None, "extra": {},
                "initials": search_key(f"选手{bib}")})
    start_queue.check_in(event, list(range(1, FINISHED + 3)))
    t = time.monotonic_ns() - 3600 * S
    seq = 0
    for i in range(FINISHED):
        seq += 1
        timing.record_impulse(event, _impulse(Channel.START, t, seq), track=1)
        seq += 1
        timing.record_impulse(event, _impulse(Channel.FINISH, t + (40 + i % 20) * S + i * 7_000_000, seq), track=1)
        t += 60 * S
    now = time.monotonic_ns()
    for k in range(2):
        seq += 1
        timing.record_impulse(event, _impulse(Channel.START, now - (30 - 10 * k) * S, seq), track=1)
    event.close()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(path: Path) -> tuple[float, list[float]]:
    t0 = time.perf_counter_ns()  # start-up includes importing Textual and the app
    from textual import events

    from competition.tui.app import TracksideApp
    from competition.tui.screens.timing import TimingScreen

    event = Event.open(path, operator="bench")
    app = TracksideApp(event, poll_interval=3600)
    latencies: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        while not isinstance(app.screen, TimingScreen) or not app.screen.clocks():
            await pilot.pause(0.001)
        startup_ms = (time.perf_counter_ns() - t0) / 1e6
        screen = app.screen
        paints: list[int] = []
        draw = app._display

        def spy(*args: Any) -> None:  # every frame the app sends to the terminal
            paints.append(time.perf_counter_ns())
            draw(*args)

        app._display = spy  # type: ignore[method-assign,assignment]
        for i in range(PRESSES):
            await pilot.press("4")  # arm 绕杆
            clock = screen.clocks()[0]
            before = clock.rider.penalty_ns
            key = "d" if i % 2 == 0 else "u"  # call 倒杆出框 +3, then undo it
            # From the key event entering the app until the clock shows the new total
            # and the app is idle again (the repaint done): Pilot's own waits excluded.
            start = time.perf_counter_ns()
            app.post_message(events.Key(key, key))
            while clock.rider.penalty_ns == before:
                await asyncio.sleep(0)
            frames = len(paints)
            while len(paints) == frames:  # the next frame drawn after the change
                await asyncio.sleep(0.0005)
            latencies.append((paints[-1] - start) / 1e6)
            if i % 2 == 1:
                continue
            await pilot.press("escape")
    event.close()
    return startup_ms, latencies


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        make_event(path)
        startup_ms, latencies = asyncio.run(measure(path))
    p50 = statistics.median(latencies)
    p95 = pct(latencies, 0.95)
    print(f"{'what':<44} {'figure':>10}  target")
    print(f"{'app start-up (import + construct + timing screen)':<44} {startup_ms:>8.0f} ms  < 1500 ms")
    print(f"{'key press -> screen updated, p50':<44} {p50:>8.1f} ms  < 50 ms")
    print(f"{'key press -> screen updated, p95':<44} {p95:>8.1f} ms  < 50 ms")
    print(f"({RIDERS} riders, {FINISHED} finished, 2 on course, {len(latencies)} presses)")
    print(f"BENCH|tui startup|{startup_ms:.0f} ms|< 1500 ms")
    print(f"BENCH|tui key-to-screen p50 (500 riders, 2 on course)|{p50:.1f} ms|< 50 ms")
    print(f"BENCH|tui key-to-screen p95 (500 riders, 2 on course)|{p95:.1f} ms|< 50 ms")


if __name__ == "__main__":
    main()
