"""FarmTek/JACircuits, RaceAmerica and StackMat simulators through the live pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from competition.recorder import replay_capture
from competition.timer_records import timer_checks
from hardware.impulse import NS_PER_MS, Channel, Impulse, RejectedFrame
from hardware.protocols import get_protocol
from hardware.protocols.farmtek import encode_elapsed
from hardware.protocols.microgate import encode_rei2
from hardware.protocols.stackmat import encode_packet
from hardware.simulator import TimerSimulator
from tests.hardware.corpus import finished_times, new_event

S = 10**9


def course_times(sim: TimerSimulator) -> list[int]:
    """Each simulated rider's time on the device clock, truncated to the device's ms."""
    sent = sim.sent_impulses()
    out = []
    for rider in sorted({s.rider for s in sent if s.rider is not None}):
        start = next(s for s in sent if s.rider == rider and s.channel is Channel.START)
        finish = next(s for s in sent if s.rider == rider and s.channel is Channel.FINISH)
        assert start.device_time_ns is not None and finish.device_time_ns is not None
        out.append(finish.device_time_ns // NS_PER_MS * NS_PER_MS - start.device_time_ns // NS_PER_MS * NS_PER_MS)
    return out


@pytest.mark.parametrize(("protocol", "options", "gap"), [
    ("farmtek", {"chrono": True}, 15), ("farmtek", {"chrono": False}, 70), ("raceamerica", {}, 15),
    ("stackmat", {}, 70), ("stackmat", {"stackmat_gen": 3}, 70),
])
def test_simulated_session_runs_equal_the_devices_times(tmp_path: Path, protocol: str, options: dict[str, object],
                                                         gap: int) -> None:
    # Normal-mode FarmTek and StackMat report a run only when it ends: one rider at a time.
    sim = TimerSimulator(protocol, riders=6, gap_ns=gap * S, course_ns=(40 * S, 60 * S), seed=11,
                         **options)  # type: ignore[arg-type]
    data = sim.run_all()
    ev = new_event(tmp_path / "e.db", [1, 2, 3, 4, 5, 6])
    replay_capture(ev, data, protocol=protocol)
    expected = course_times(sim)
    got = finished_times(ev)
    if options.get("stackmat_gen") == 3:
        expected = [t - t % (10 * NS_PER_MS) for t in expected]  # Gen 3 shows hundredths
    assert [got[b][0] for b in range(1, 7)] == expected
    checks = timer_checks(ev)
    if protocol == "raceamerica" or options.get("chrono") is False:
        assert checks == {}  # no separate net time: the run is the timer's time itself
    else:
        assert len(checks) == 6 and all(c.agrees for c in checks.values())
    ev.close()


def test_farmtek_elapsed_digits_are_least_significant_first() -> None:
    assert encode_elapsed(52371) == b"\x80173250\r\n"
    items = get_protocol("farmtek").new_decoder().feed(b"\x80173250\r\n", S)
    start, finish = items
    assert isinstance(start, Impulse) and isinstance(finish, Impulse)
    assert finish.device_time_ns - start.device_time_ns == 52_371 * NS_PER_MS  # type: ignore[operator]


def test_stackmat_bad_packets_name_the_usual_causes_once_per_burst() -> None:
    decoder = get_protocol("stackmat").new_decoder()
    good = encode_packet("I", 0)
    bad = good[:-3] + bytes([good[-3] ^ 1]) + good[-2:]
    items = decoder.feed(bad * 50 + good + bad, 1)
    assert all(isinstance(i, RejectedFrame) for i in items) and len(items) == 2
    assert "inverted" in items[0].reason_en and "1200" in items[0].reason_en


def test_stackmat_repeated_display_gives_nothing_and_a_stop_gives_the_time() -> None:
    decoder = get_protocol("stackmat").new_decoder()
    stream = encode_packet("I", 0) * 5 + encode_packet(" ", 3) + encode_packet(" ", 120) * 3 + encode_packet("I", 68_169) * 4
    items = decoder.feed(stream, 1)
    start, finish, record = items
    assert start.channel is Channel.START and finish.channel is Channel.FINISH  # type: ignore[union-attr]
    assert finish.device_time_ns - start.device_time_ns == 68_169 * NS_PER_MS  # type: ignore[union-attr,operator]
    assert record.net_ns == 68_169 * NS_PER_MS  # type: ignore[union-attr]


def test_rei2_line_has_no_sequence_counter() -> None:
    line = encode_rei2(bib=12, group=3, logical="255", tod_ns=50_842_615_300_000)
    [imp] = get_protocol("microgate").new_decoder().feed(line, 1)
    assert isinstance(imp, Impulse) and imp.device_seq is None and imp.bib == 12
    sim = TimerSimulator("microgate", riders=3, rei2=True, type_bibs=True)
    assert all(i.device_seq is None for i in get_protocol("microgate").new_decoder().feed(sim.run_all(), 1)
               if isinstance(i, Impulse))
