"""``trackside simulate --protocol NAME``: a simulated timer on a pty for rehearsals.

Prints the device path to give ``trackside`` (or any serial terminal), then
plays riders in real time until done (and a short linger so a replay request
can still be answered) or Ctrl-C. ``disconnect_every_s`` pulls the simulated
cable now and then, to rehearse what the referee sees when it happens for real.

The riders wait at the start until the timing desk has opened the port
(``trackside run`` or ``timing listen``), as an organizer does on the day: a
simulator started first no longer fires the first start into a cable nobody
reads (issue #12: every finish then closed the wrong run). ``start_now=True``
rehearses the other case, a timer switched on and used before the laptop
connects: the recorder asks for its memory at the first connect and keeps what
came before the session as orphans for the referee.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hardware.pty_port import DEFAULT_LINK_NAME, open_pty_simulator
from hardware.simulator import DEFAULT_START_TOD_NS


def seconds_to_ns(seconds: float | int | str | Decimal) -> int:
    """A CLI seconds value -> integer ns, through Decimal (no float arithmetic)."""
    return int(Decimal(str(seconds)) * 1_000_000_000)


def run_simulator_on_pty(
    protocol: str,
    *,
    riders: int = 20,
    gap_s: float | Decimal = 8.0,
    course_s: tuple[float | Decimal, float | Decimal] = (25.0, 45.0),
    seed: int = 1,
    speed: float = 1.0,
    bounce_probability: float = 0.02,
    noise_probability: float = 0.01,
    bad_checksum_probability: float = 0.01,
    disconnect_every_s: float | None = None,
    disconnect_for_s: float = 2.0,
    start_tod_ns: int = DEFAULT_START_TOD_NS,
    directory: str | None = None,
    link_name: str = DEFAULT_LINK_NAME,
    linger_s: float = 5.0,
    start_now: bool = False,
    out: Callable[[str], None] = print,
    simulator_options: dict[str, Any] | None = None,
) -> int:
    """Run one simulated timer on a pty; returns the number of impulses emitted."""
    port = open_pty_simulator(
        protocol, speed=speed, directory=directory, link_name=link_name, wait_for_reader=not start_now,
        riders=riders,
        gap_ns=seconds_to_ns(gap_s), course_ns=(seconds_to_ns(course_s[0]), seconds_to_ns(course_s[1])),
        seed=seed, bounce_probability=bounce_probability, noise_probability=noise_probability,
        bad_checksum_probability=bad_checksum_probability, start_tod_ns=start_tod_ns,
        **(simulator_options or {}),
    )
    out(f"模拟计时器（{protocol}）已就绪，串口：{port.path}")
    out(f"Simulated {protocol} timer ready on {port.path}  (Ctrl-C to stop)")
    shown = 0
    try:
        if not start_now:
            out("等待计时终端打开该串口后选手才出发… / riders start once the timing desk opens the port…")
            while not port.clock_started.wait(0.2):
                pass
            out("计时终端已连接，开始 / timing desk connected, riders starting")
        next_cut = time.monotonic() + disconnect_every_s if disconnect_every_s else None
        while not port.wait_done(0.2):
            sent = port.sent_impulses()
            for imp in sent[shown:]:
                out(f"  #{imp.seq} {imp.channel.value:<6} {imp.channel_raw:<4} rider {imp.rider}")
            shown = len(sent)
            if next_cut is not None and time.monotonic() >= next_cut:
                out(f"  拔出线缆 {disconnect_for_s} 秒 / cable pulled for {disconnect_for_s} s")
                port.unplug()
                time.sleep(disconnect_for_s)
                port.replug()
                out("  线缆已插回 / cable back")
                next_cut = time.monotonic() + (disconnect_every_s or 0)
        out(f"全部 {len(port.sent_impulses())} 个脉冲已发送 / all impulses sent; answering replays for {linger_s} s")
        time.sleep(linger_s)
    except KeyboardInterrupt:
        out("已停止 / stopped")
    finally:
        port.close()
    return len(port.sent_impulses())
