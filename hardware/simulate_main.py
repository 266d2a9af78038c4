"""``trackside simulate --protocol NAME``: a simulated timer on a pty for rehearsals.

Prints the device path to give ``trackside`` (or any serial terminal), then
plays riders in real time until done (and a short linger so a replay request
can still be answered) or Ctrl-C. ``disconnect_every_s`` pulls the simulated
cable now and then, to rehearse what the referee sees when it happens for real.
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
    out: Callable[[str], None] = print,
    simulator_options: dict[str, Any] | None = None,
) -> int:
    """Run one simulated timer on a pty; returns the number of impulses emitted."""
    port = open_pty_simulator(
        protocol, speed=speed, directory=directory, link_name=link_name, riders=riders,
        gap_ns=seconds_to_ns(gap_s), course_ns=(seconds_to_ns(course_s[0]), seconds_to_ns(course_s[1])),
        seed=seed, bounce_probability=bounce_probability, noise_probability=noise_probability,
        bad_checksum_probability=bad_checksum_probability, start_tod_ns=start_tod_ns,
        **(simulator_options or {}),
    )
    out(f"模拟计时器（{protocol}）已就绪，串口：{port.path}")
    out(f"Simulated {protocol} timer ready on {port.path}  (Ctrl-C to stop)")
    shown = 0
    next_cut = time.monotonic() + disconnect_every_s if disconnect_every_s else None
    try:
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
