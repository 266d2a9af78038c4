"""The app as load for bench_timing_pipeline.py: the trackside app, headless, drawing all the time.

``python bench/timing_app_load.py DB [--timer PTY]`` runs the TracksideApp
(Textual ``run_test``, 160x50) on the event file DB, switching between the
timing screen and the standings (500 riders) every 0.25 s, so it redraws
without pause, besides its own poll of the file (every 0.5 s) and the live
clocks of the riders on course. With ``--timer PTY`` it also reads the timer
itself, in a thread of this interpreter (``app.connect_timer``): the
arrangement before issue #13, the "in-process" row. With ``--recorder PTY``
it is what ``trackside run --port PTY`` builds (``build_app``'s settings): the
app starts the recorder process for the port (``trackside timing listen``,
its child) and lowers its own priority beside it; the "process" row. Prints
``ready`` once drawing (and, with a timer, once the port is online); stops
when stdin closes (and stops the recorder it started).
"""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


async def run(db: str, timer: str | None, separate: bool) -> None:
    from competition.event import Event
    from competition.tui.app import TracksideApp

    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    event = Event.open(db, operator="bench")
    app = TracksideApp(event, separate_recorder=separate)
    app.yield_cpu_to_recorder = separate  # as build_app (trackside run) sets it
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.3)
        if timer is not None:
            assert app.connect_timer(timer, "pad", 1)
            while not _online(app):
                await pilot.pause(0.05)
        print("ready", flush=True)
        screens = ("standings", "timing")
        n = 0
        while not done.is_set():
            # What F3 / F1 do; not through Pilot.press, whose wait for the screen gives up under load.
            await app.run_action(f"show('{screens[n % 2]}')")
            n += 1
            await asyncio.sleep(0.25)
        app.disconnect_timer()
    event.close()
    print(f"screens switched {n}", flush=True)


def _online(app: object) -> bool:
    recorder = getattr(app, "recorder", None)
    if recorder is None:
        return False
    status = getattr(app, "timer_status", None) if hasattr(recorder, "health") else recorder.status
    return bool(status is not None and status.online)


def main() -> None:
    args = sys.argv[1:]
    timer = None
    separate = False
    for flag in ("--timer", "--recorder"):
        if flag in args:
            i = args.index(flag)
            timer = args[i + 1]
            separate = flag == "--recorder"
            del args[i : i + 2]
    asyncio.run(run(args[0], timer, separate))


if __name__ == "__main__":
    main()
