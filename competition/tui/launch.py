"""What the CLI calls: ``trackside run`` and ``trackside demo``.

``launch_app`` opens the event file (a missing one is an ``EventFileError``
the CLI prints), optionally starts a simulated timer on a pty, gives the port
to a recorder process (``competition.recorder_process``: started as a child,
or attached to one already running), runs the App, and on the way out stops
the recorder it started (unless asked to leave it running) and the simulator.
The simulator's pty stays open in this process; the child opens its other end
by name. Closing mid-run loses nothing: every impulse was committed before it
was shown, and the open runs are still open next time.
"""

from __future__ import annotations

from typing import Any

from competition.event import Event
from competition.times import NS_PER_SECOND

DEFAULT_SIM_PROTOCOL = "alge"


def start_simulator(*, protocol: str = DEFAULT_SIM_PROTOCOL, riders: int = 40, gap_s: int = 15,
                    course_s: tuple[int, int] = (35, 60), seed: int = 1, speed: float = 1.0) -> Any:
    """A simulated timer on a pty, playing riders in real time (a start every ``gap_s``)."""
    from hardware.pty_port import open_pty_simulator

    return open_pty_simulator(
        protocol, speed=speed, riders=riders, gap_ns=gap_s * NS_PER_SECOND,
        course_ns=(course_s[0] * NS_PER_SECOND, course_s[1] * NS_PER_SECOND), seed=seed,
        first_event_ns=5 * NS_PER_SECOND,
    )


def build_app(
    db: str, *, url: str | None = None, protocol: str | None = None, simulate: bool = False, track: int = 1,
    lang: str = "zh", operator: str = "", terminal: str | None = None, simulator_options: dict[str, Any] | None = None,
    separate_recorder: bool = True, leave_recorder_running: bool = False,
) -> Any:
    """Open the event and make the App (with its timer connected, if asked); the caller runs it.

    ``separate_recorder``: the port is read by a recorder process (False: a reader thread in the app).
    """
    from competition.tui.app import TracksideApp

    event = Event.open(db, operator=operator, terminal=terminal)
    app = TracksideApp(event, lang=lang, track=track, operator=operator, separate_recorder=separate_recorder)
    app.leave_recorder_running = leave_recorder_running
    app.yield_cpu_to_recorder = separate_recorder
    try:
        if simulate and url is None:
            app.simulator = start_simulator(protocol=protocol or DEFAULT_SIM_PROTOCOL, **(simulator_options or {}))
            url = app.simulator.path
            protocol = protocol or DEFAULT_SIM_PROTOCOL
        if url is not None:
            from hardware.protocols import get_protocol

            # An unknown protocol is a plain CLI error, before the screen opens.
            name = get_protocol(protocol or DEFAULT_SIM_PROTOCOL).name
            app.pending_timer = (url, name, track)
    except BaseException:
        if app.simulator is not None:
            app.simulator.close()
        event.close()
        raise
    return app


def launch_app(db: str, *, url: str | None, protocol: str | None, simulate: bool, track: int, lang: str,
               operator: str, terminal: str | None, backup_dir: str | None = None,
               backup_every: int | None = None, leave_recorder_running: bool = False) -> None:
    """``trackside run``: the trackside app on the event file ``db``."""
    from competition.backup_schedule import schedule_from_options

    app = build_app(db, url=url, protocol=protocol, simulate=simulate, track=track, lang=lang,
                    operator=operator, terminal=terminal, leave_recorder_running=leave_recorder_running)
    backups = schedule_from_options(db, backup_dir, backup_every,
                                    on_outcome=lambda outcome: backup_notice(app, outcome, lang))
    try:
        if backups is not None:
            backups.start()
        app.run()
    finally:
        if backups is not None:
            backups.stop()
        app.close_hardware()
        app.event.close()


def backup_notice(app: Any, outcome: Any, lang: str) -> None:
    """A backup's outcome as a notification (called in the backup thread; notify posts a message).

    A failure is an error notification that stays 20 s: the referee sees the stick is gone,
    timing goes on.
    """
    if outcome.failed:
        app.notify(outcome.line(lang), severity="error", timeout=20, markup=False)
    elif outcome.result is not None:
        app.notify(outcome.line(lang), timeout=5, markup=False)


def launch_demo(db: str, *, seed: int, riders: int, lang: str) -> None:
    """``trackside demo``: the demo event (made once, never over a real event) with a simulated timer."""
    from results.demo import prepare_demo_event

    prepare_demo_event(db, seed=seed, riders=riders)
    app = build_app(db, simulate=True, lang=lang, operator="demo",
                    simulator_options={"riders": 40, "gap_s": 15, "course_s": (35, 60), "seed": seed})
    try:
        app.run()
    finally:
        app.close_hardware()
        app.event.close()
