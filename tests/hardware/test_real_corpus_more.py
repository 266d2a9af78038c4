"""More of the real-output corpus: the TdC 8001 classement printouts and a TAG Heuer HL440 download.

See tests/fixtures/real/alge/PROVENANCE.md and tests/fixtures/real/tagheuer/PROVENANCE.md.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from competition import timing
from competition.event import Event
from competition.recorder import replay_capture
from competition.timer_records import timer_checks
from competition.verify import verify_event
from hardware.impulse import Channel, Impulse, RejectedFrame
from hardware.protocols import get_protocol
from hardware.protocols.alge import encode_line as alge_line
from hardware.protocols.alge import encode_net_time
from hardware.protocols.records import NET_TIME, RANKING, TOTAL_TIME, TimerRecord
from hardware.protocols.tagheuer import sum16
from hardware.simulator import TimerSimulator
from tests.hardware.corpus import REAL, finished_times, new_event

S = 10**9
CS = 10**7
ALGE = REAL / "alge"
CLASSEMENTS = {name: ALGE / f"classement-{name}.txt" for name in ("runtime-run1", "runtime-run2", "totaltime",
                                                                   "memorytime")}


def decode(protocol: str, data: bytes) -> list[Impulse | RejectedFrame]:
    dec = get_protocol(protocol).new_decoder()
    return dec.feed(data, 10**12) + dec.flush(10**12)


def printed(path: Path, code: str) -> dict[int, int]:
    """Bib -> time (ns) of the ``code`` lines of a classement, read independently of the parser."""
    out = {}
    for line in path.read_text("latin-1").splitlines():
        m = re.match(rf"^ (\d{{4}}) {code} +(\d\d):(\d\d):(\d\d)\.(\d\d) +\d\d (\d{{4}})$", line)
        if m:
            out[int(m[1])] = ((int(m[2]) * 60 + int(m[3])) * 60 + int(m[4])) * S + int(m[5]) * CS
    return out


# -- ALGE TdC 8001 classement printouts (captured) -----------------------------------


def test_alge_classements_are_the_timers_ranking_never_impulses() -> None:
    run1, run2 = printed(CLASSEMENTS["runtime-run1"], "RTM"), printed(CLASSEMENTS["runtime-run2"], "RTM")
    total, memory = printed(CLASSEMENTS["totaltime"], "TT "), printed(CLASSEMENTS["memorytime"], "MT ")
    assert sorted(run1) == sorted(run2) == sorted(total) == sorted(memory) == [1, 2, 3, 4]
    # The timer's own arithmetic, as printed: run 1 + run 2 = total, for every rider.
    assert all(run1[b] + run2[b] == total[b] for b in total)
    for name, expected, kind in (("runtime-run1", run1, RANKING), ("runtime-run2", run2, RANKING),
                                 ("totaltime", total, TOTAL_TIME), ("memorytime", memory, RANKING)):
        items = decode("alge", CLASSEMENTS[name].read_bytes())
        assert not [i for i in items if isinstance(i, Impulse)], name
        records = [i for i in items if isinstance(i, TimerRecord) and i.net_ns is not None]
        assert {r.bib: r.net_ns for r in records} == expected, name
        assert {r.kind for r in records} == {kind}, name
        assert all(r.resolution_ns == CS for r in records)


def _two_runs(run1: dict[int, int], run2: dict[int, int]) -> bytes:
    """A TdC start-number session whose run times are the classement's (constructed around the capture)."""
    out, t = b"", 10 * 3600 * S
    for times in (run1, run2):
        for bib, net in sorted(times.items()):
            out += alge_line(flag=" ", number=bib, channel_raw="C0", tod_ns=t, checksum=False)
            out += alge_line(flag=" ", number=bib, channel_raw="C1", tod_ns=t + net, checksum=False)
            out += encode_net_time(flag=" ", number=bib, channel_raw="RT", net_ns=net)
            t += 60 * S
    return out


def test_alge_classement_printed_after_the_runs_is_no_check_on_the_latest_run(tmp_path: Path) -> None:
    """A run-1 classement printed after run 2 must not put run-1 times beside the run-2 runs."""
    run1, run2 = printed(CLASSEMENTS["runtime-run1"], "RTM"), printed(CLASSEMENTS["runtime-run2"], "RTM")
    ev = new_event(tmp_path / "e.db", [1, 2, 3, 4], queue=[4, 3, 2, 1])
    replay_capture(ev, _two_runs(run1, run2), protocol="alge")
    for name in ("runtime-run1", "totaltime", "memorytime", "runtime-run2"):
        replay_capture(ev, CLASSEMENTS[name].read_bytes(), protocol="alge", source=name)
        checks = timer_checks(ev)
        assert len(checks) == 8 and all(c.agrees for c in checks.values()), name
    assert finished_times(ev, CS) == {b: [run1[b], run2[b]] for b in run1}
    kinds = {p["kind"] for p in _timer_record_payloads(ev)}
    assert RANKING in kinds and NET_TIME in kinds
    assert verify_event(ev).ok
    ev.close()


def _timer_record_payloads(ev: Event) -> list[dict[str, Any]]:
    rows = ev.store.conn.execute("SELECT payload FROM journal WHERE kind = 'timer_record'")
    return [json.loads(text) for (text,) in rows]


# -- TAG Heuer HL440 download (reconstructed from a captured download) -----------------

HL440 = REAL / "tagheuer" / "hl440-download-run07.thcom08"


def test_tagheuer_hl440_download_every_line_read_as_the_device_meant() -> None:
    data = HL440.read_bytes()
    for line in data.splitlines():
        body, _, checksum = line.decode().partition("\t")
        assert sum16(body) == checksum  # the layout is the one the device's own checksum covers
    items = decode("tagheuer", data)
    assert all(isinstance(i, Impulse) for i in items) and len(items) == 6
    imps = [i for i in items if isinstance(i, Impulse)]
    assert [i.device_seq for i in imps] == [1, 2, 3, 4, 5, 6]
    assert [i.bib for i in imps] == [None, None, 700, 121, 66, 444]
    assert all(i.channel is Channel.SPLIT and i.manual and i.channel_raw == "M4" and i.replayed for i in imps)
    assert all(not i.bad_checksum and i.usable for i in imps)
    assert imps[2].device_time_ns == (19 * 3600 + 20 * 60 + 15) * S + 834_000_000
    assert imps[2].resolution_ns == 10_000
    # 'A*' is a time given a new bib (HL440 manual §6.1; the downloader's line types): a
    # valid time for bib 444, never a cancellation.
    assert imps[5].flag == "*" and not imps[5].voids and imps[5].usable


def test_tagheuer_hl440_download_replayed_nothing_voided(tmp_path: Path) -> None:
    ev = new_event(tmp_path / "e.db", [66, 121, 444, 700])
    counts = replay_capture(ev, HL440.read_bytes(), protocol="tagheuer", source=str(HL440))
    assert sum(counts.values()) == 6 and counts.get("cancel", 0) == 0
    assert ev.store.query("SELECT COUNT(*) AS n FROM impulses")[0]["n"] == 6
    assert not ev.store.query("SELECT seq FROM impulses WHERE disposition = 'voided'")
    assert verify_event(ev).ok
    ev.close()


def _tn(prefix: str, bib: int | None, seq: int, channel: str, tod_s: float) -> bytes:
    """One THCOM08 line in the layout of the captured HL440 line (space-padded fields, day count)."""
    whole = int(tod_s)
    frac = round((tod_s - whole) * 100_000)
    hh, mm, ss = whole // 3600, whole // 60 % 60, whole % 60
    body = f"{prefix} {'' if bib is None else bib:>4} {seq:>4} {channel:>2} {hh:02d}:{mm:02d}:{ss:02d}.{frac:05d} {9828:>5}"
    return f"{body}\t{sum16(body)}\r\n".encode()


def test_tagheuer_new_identification_moves_the_time_to_that_rider(tmp_path: Path) -> None:
    """Constructed from the HL440 manual (§6.1 RECALL): '*' = the time was given another bib."""
    t0 = 10 * 3600
    data = (_tn("TN", 5, 1, "1", t0) + _tn("TN", 7, 2, "1", t0 + 20)
            # bib 7 overtook bib 5, but the operator had keyed 5 for the next finish:
            + _tn("TN", 5, 3, "2", t0 + 41.5)
            # ... and corrects it on the timer: that time is bib 7's.
            + _tn("T*", 7, 3, "2", t0 + 41.5)
            + _tn("TN", 5, 4, "2", t0 + 50.25)
            # the same correction again (a recall): nothing changes.
            + _tn("A*", 7, 3, "2", t0 + 41.5))
    ev = new_event(tmp_path / "e.db", [5, 7], queue=[5, 7])
    replay_capture(ev, data, protocol="tagheuer")
    assert finished_times(ev) == {7: [21_500_000_000], 5: [50_250_000_000]}
    voided = ev.store.query("SELECT bib, device_seq FROM impulses WHERE disposition = 'voided'")
    assert [(r["bib"], r["device_seq"]) for r in voided] == [(5, 3)]
    assert verify_event(ev).ok
    ev.close()


def test_tagheuer_removed_identification_leaves_the_time_to_the_referee(tmp_path: Path) -> None:
    """'-': the time's bib was removed. The run it finished is open again; the time is an orphan."""
    t0 = 11 * 3600
    data = _tn("TN", 9, 1, "1", t0) + _tn("TN", 9, 2, "2", t0 + 33) + _tn("T-", None, 2, "2", t0 + 33)
    ev = new_event(tmp_path / "e.db", [9])
    counts = replay_capture(ev, data, protocol="tagheuer")
    assert finished_times(ev) == {}
    assert [r["bib"] for r in timing.on_course(ev)] == [9]
    assert counts["orphan"] == 1
    assert verify_event(ev).ok
    ev.close()


def test_tagheuer_simulator_prints_the_captured_layout() -> None:
    """The simulator's THCOM08 lines have the captured line's layout: numbers space-padded, a day count."""
    sim = TimerSimulator("tagheuer", riders=4, gap_ns=5 * S, course_ns=(40 * S, 60 * S), seed=3, type_bibs=True)
    lines = [ln for ln in sim.run_all().split(b"\r\n") if ln[:2] in (b"TN", b"AN")]
    assert lines
    real = re.compile(rb"^[TA]N (?: {4}| {3}\d| {2}[1-9]\d| [1-9]\d\d|[1-9]\d{3}) "
                      rb"(?: {3}\d| {2}[1-9]\d| [1-9]\d\d|[1-9]\d{3}) [ M\d]\d \d\d:\d\d:\d\d\.\d{5} [ \d]{4}\d"
                      rb"\t[0-9A-F]{4}$")
    bad = [ln for ln in lines if not real.match(ln)]
    assert not bad, bad[:3]


# -- StackMat Gen 4 (documented behaviour of real units) ------------------------------


def test_stackmat_gen4_spontaneous_a_header_is_no_impulse() -> None:
    """cstimer #171: a Gen 4 at rest sends an 'A' header every few minutes; it is not a start."""
    from hardware.protocols.stackmat import encode_packet

    idle = encode_packet("I", 0) * 9
    assert decode("stackmat", idle + encode_packet("A", 0) * 2 + idle) == []
    # ... while a real solve after it still times exactly the displayed time.
    solve = b"".join(encode_packet(" ", ms) for ms in range(0, 5_000, 110)) + encode_packet("S", 5_123) * 9
    imps = [i for i in decode("stackmat", idle + encode_packet("A", 0) + solve) if isinstance(i, Impulse)]
    assert [i.channel for i in imps] == [Channel.START, Channel.FINISH]
    start, finish = imps[0].device_time_ns, imps[1].device_time_ns
    assert start is not None and finish is not None and finish - start == 5_123_000_000
