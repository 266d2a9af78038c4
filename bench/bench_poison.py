"""Hostile bytes and bad days on the timing pipeline: what survives, beside a baseline from the same run.

Three drills, each printed as a figure with its baseline:

1. the fault drill (``results/drill.py``, reduced by default): the listener
   killed with SIGKILL and the cable pulled while a second terminal writes the
   judges' calls -> kills survived, acknowledged calls lost, impulses doubled;
2. poison lines (valid checksums, fields out of any range: a sequence of 2**63,
   a 200-digit number, a counter past 2**32, an over-long line) written into a
   live pty timer between real impulses -> poison frames survived, results
   equal to the same seed without poison;
3. a Microgate (it cannot replay its memory) losing impulses in listener
   restarts -> sequence gaps flagged, results silently wrong, beside the same
   stream paired blind (gap detection off) in the same run.

Usage: python bench/bench_poison.py [--riders N] [--kills N] [--unplugs N] [--poison N] [--seed N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

S = 1_000_000_000

POISON_LINES = [
    b"P,1,9223372036854775808,S,50000,",
    b"P,1," + b"9" * 200 + b",F,60000,",
    b"P,1,7,S,4294967296,",
    b"P,1,8,F,99999999999999999999999,",
    b"P,FFFFFFFFF,9,S,1000,",
]


def _event(path: Path, riders: int) -> Path:
    from competition import start_queue
    from competition.event import Event
    from courses.loader import load_course
    from tests.conftest import register

    with Event.create(path, title="bench", course=load_course(None), day="2026-11-28", operator="bench") as ev:
        register(ev, riders)
        start_queue.check_in(ev, list(range(1, riders + 1)), track=1)
    return path


def _results(path: Path) -> dict[int, int]:
    from competition.event import Event

    with Event.open(path) as ev:
        return {r["bib"]: r["raw_ns"] for r in ev.store.query("SELECT bib, raw_ns FROM runs WHERE state = 'finished'")}


def _wait(condition, guard_s: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + guard_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def poison_drill(workdir: Path, riders: int, poison: int, seed: int) -> dict[str, object]:
    from competition.event import Event
    from competition.recorder import TimingRecorder
    from competition.verify import verify_event
    from hardware.protocols.pad import xor_checksum
    from hardware.pty_port import open_pty_simulator

    out: dict[str, object] = {}
    for label, n_poison in (("calm", 0), ("poison", poison)):
        db = _event(workdir / f"{label}.db", riders)
        port = open_pty_simulator("pad", speed=25.0, riders=riders, gap_ns=20 * S, course_ns=(38 * S, 55 * S),
                                  seed=seed, wait_for_reader=True, directory=str(workdir), link_name=f"tty{label}")
        recorder = TimingRecorder(str(db), url=port.path, protocol="pad", track=1)
        recorder.start()
        sent_poison = 0
        try:
            assert port.clock_started.wait(10)
            total = riders * 2
            while not port.wait_done(0.05):
                if sent_poison < n_poison and len(port.sent_impulses()) >= (sent_poison + 1) * total // (n_poison + 1):
                    body = POISON_LINES[sent_poison % len(POISON_LINES)].decode()
                    line = body + xor_checksum(body.rstrip(",")) + "\n" if sent_poison % 5 != 4 else body + "\n"
                    # Every fifth one is far over-long instead (no terminator for 600 bytes).
                    port.send_raw(line.encode() if sent_poison % 5 != 4 else b"P," + b"7" * 600 + b"\n")
                    sent_poison += 1
            _wait(lambda db=db: len(_results(db)) == riders, 30)
        finally:
            recorder.stop()
            port.close()
        with Event.open(db) as ev:
            rejected = ev.store.query("SELECT COUNT(*) AS n FROM journal WHERE kind = 'frame_rejected'")[0]["n"]
            ok = verify_event(ev).ok
        out[label] = {"results": _results(db), "rejected": rejected, "sent_poison": sent_poison, "verify": ok,
                      "internal_errors": recorder.pipeline.counts["internal_error"]}
    return out


def gap_drill(workdir: Path, riders: int, seed: int, episodes: int) -> dict[str, int]:
    import random

    from competition import sequence_gaps, timing_holds
    from competition.event import Event
    from competition.recorder import TrackPipeline
    from hardware.protocols import get_protocol
    from hardware.simulator import TimerSimulator

    def play(db: Path, lost: set[int], *, blind: bool) -> TrackPipeline:
        real = timing_holds.hold_reason
        if blind:
            timing_holds.hold_reason = lambda *a, **k: None  # type: ignore[assignment]
        try:
            sim = TimerSimulator("microgate", riders=riders, gap_ns=20 * S, course_ns=(38 * S, 55 * S), seed=seed,
                                 bounce_probability=0.03)
            pipe = TrackPipeline(str(db), track=1, protocol=get_protocol("microgate"), port="bench")
            decoder = get_protocol("microgate").new_decoder()
            n = 0
            while not sim.done:
                chunk = sim.step()
                n += 1
                if n in lost:
                    continue
                pipe.bytes_received(chunk, n)
                for frame in decoder.feed(chunk, n):
                    pipe.frame_decoded(frame)
            pipe.close()
            return pipe
        finally:
            timing_holds.hold_reason = real  # type: ignore[assignment]

    total = riders * 2
    rng = random.Random(seed)
    lost: set[int] = set()
    for k in range(episodes):
        at = (k + 1) * total // (episodes + 1) + rng.randint(-3, 3)
        lost |= set(range(at, at + rng.randint(3, 12)))
    calm = _event(workdir / "mg-calm.db", riders)
    play(calm, set(), blind=False)
    truth = _results(calm)
    blind = _event(workdir / "mg-blind.db", riders)
    play(blind, lost, blind=True)
    guarded = _event(workdir / "mg-guarded.db", riders)
    pipe = play(guarded, lost, blind=False)
    with Event.open(guarded) as ev:
        flagged = len(sequence_gaps.gaps(ev, 1))
    wrong = lambda res: sum(1 for b, v in res.items() if truth.get(b) != v)  # noqa: E731
    blind_res, guarded_res = _results(blind), _results(guarded)
    return {"episodes": episodes, "lost": len(lost), "flagged": flagged, "blind_wrong": wrong(blind_res),
            "blind_results": len(blind_res), "guarded_wrong": wrong(guarded_res),
            "guarded_results": len(guarded_res), "held_orphans": pipe.counts["orphan"]}


def fault_drill(workdir: Path, riders: int, kills: int, unplugs: int, seed: int) -> dict[str, object]:
    from competition.event import Event
    from results.drill import DrillPlan, judge_calls, run_drill

    plan = DrillPlan(riders=riders, kills=kills, unplugs=unplugs, seed=seed, speed=12.0)
    calm = run_drill(workdir, plan, disturbed=False)
    rough = run_drill(workdir, plan, disturbed=True)
    with Event.open(workdir / "disturbed.db") as ev:
        bibs = [e["bib"] for e in ev.store.query("SELECT bib FROM entrants ORDER BY bib")]
        ridden = {r["bib"] for r in ev.store.query("SELECT bib FROM runs WHERE state != 'void'")}
        expected = sum(len(c) for b, c in judge_calls(bibs, seed).items() if b in ridden)
        present = ev.store.query("SELECT COUNT(*) AS n FROM penalties WHERE withdrawn = 0")[0]["n"]
    return {"kills": rough.kills, "unplugs": rough.unplugs, "missing": len(rough.missing),
            "doubled": len(rough.doubled), "calls_expected": expected, "calls_present": present,
            "verify": rough.verify_ok, "same": rough.standings == calm.standings, "sent": rough.sent,
            "recorded": rough.recorded, "calm_recorded": calm.recorded}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--riders", type=int, default=30)
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--unplugs", type=int, default=4)
    parser.add_argument("--poison", type=int, default=25)
    parser.add_argument("--gap-episodes", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "drill").mkdir()
        (work / "poison").mkdir()
        (work / "gaps").mkdir()
        d = fault_drill(work / "drill", args.riders, args.kills, args.unplugs, args.seed)
        rows += [
            ("kills survived (SIGKILL of timing listen)", f"{d['kills']}", f"impulses {d['recorded']}/{d['sent']}, "
             f"missing {d['missing']}; calm run {d['calm_recorded']}"),
            ("acknowledged judge calls lost", f"{int(d['calls_expected']) - int(d['calls_present'])}",
             f"0 of {d['calls_expected']} expected"),
            ("impulses doubled", f"{d['doubled']}", "0"),
            ("standings == undisturbed run / verify", f"{'yes' if d['same'] else 'NO'} / {'OK' if d['verify'] else 'FAILED'}",
             "yes / OK"),
        ]
        p = poison_drill(work / "poison", args.riders, args.poison, args.seed)
        calm, rough = p["calm"], p["poison"]
        assert isinstance(calm, dict) and isinstance(rough, dict)
        same = rough["results"] == calm["results"]
        rows += [
            ("poison lines survived (live pty)", f"{rough['sent_poison']}",
             f"-> {rough['rejected']} rejected frames journaled (a 600-byte line is cut in 256-byte frames); "
             f"calm run {calm['rejected']}"),
            ("results with poison == without", "yes" if same else "NO",
             f"{len(rough['results'])} vs {len(calm['results'])} runs"),
            ("pipeline internal errors", f"{rough['internal_errors']}", "0 (range checks catch them first)"),
        ]
        g = gap_drill(work / "gaps", max(args.riders, 60), args.seed, args.gap_episodes)
        rows += [
            ("sequence gaps flagged (Microgate, no replay)", f"{g['flagged']}",
             f"{g['episodes']} loss episodes, {g['lost']} impulses lost"),
            ("results silently wrong, gap hold on", f"{g['guarded_wrong']} of {g['guarded_results']}",
             f"blind pairing, same stream: {g['blind_wrong']} of {g['blind_results']}"),
            ("impulses held for the referee (orphans)", f"{g['held_orphans']}", "-"),
        ]
    for what, fig, base in rows:
        print(f"{what:46} {fig:>12}  {base}")
    for what, fig, base in rows:
        print(f"BENCH|{what}|{fig}|{base}")
    ok = (d["doubled"] == 0 and d["calls_expected"] == d["calls_present"] and same and g["guarded_wrong"] == 0
          and int(rough["rejected"]) >= int(rough["sent_poison"]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
