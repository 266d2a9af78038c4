"""The demo event: a whole competition played by simulators, with no hardware.

``prepare_demo_event`` makes the event the interactive ``trackside demo`` opens
(500 riders imported from a generated clerk's sheet, the first ones checked
in). ``play_headless`` plays the whole day without the UI: import, check-in,
the preliminary on two simulated timers (an ALGE Timy on track 1, a home-built
pad box on track 2) with simulated judges' calls, the cut to 70, a best-of-2
final, style scores, awards. Every byte goes through the same pipeline as a
live serial port (``competition.recorder.TrackPipeline``). Deterministic for a
given seed.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from competition import judging, start_queue
from competition.entrants import import_registration
from competition.errors import CommandRefused, EventFileError
from competition.event import Event
from competition.glossary import counts_text, round_name
from competition.recorder import TrackPipeline
from competition.registration import read_registration
from competition.registration.sample_sheet import make_clerk_workbook
from competition.timing import ImpulseOutcome
from hardware.impulse import NS_PER_SECOND
from hardware.protocols import get_protocol
from hardware.simulator import TimerSimulator

DEMO_TITLE = "【演示】第三届网约配送员驾驶技能竞赛"
DEMO_TRACKS = {1: "alge", 2: "pad"}
S = NS_PER_SECOND


def _refuse_real_event(db: Path) -> bool:
    """True if ``db`` is an existing demo event; raises if it is a real one."""
    if not db.exists():
        return False
    try:
        with Event.open(db) as ev:
            if ev.is_demo:
                return True
            title = ev.title
    except EventFileError:
        raise EventFileError(
            f"{db} 已存在且不是演示赛事，演示不会覆盖它。请用 --db 指定另一个文件。",
            f"{db} exists and is not a demo event; the demo never overwrites it. Name another file with --db.",
        ) from None
    raise EventFileError(
        f"{db} 是真实赛事（{title}），演示不会覆盖它。请用 --db 指定另一个文件。",
        f"{db} holds a real event ({title}); the demo never overwrites it. Name another file with --db.",
    )


def _fresh_demo_file(db: Path) -> None:
    """Set an earlier demo aside (never a real event) so the demo starts clean."""
    if _refuse_real_event(db):
        previous = db.with_name(db.name + ".previous")
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(db) + suffix)
            dst = Path(str(previous) + suffix)
            if dst.exists():
                dst.unlink()
            if src.exists():
                src.rename(dst)


def _create(db: Path, seed: int, riders: int, echo: Callable[[str], None] | None = None, lang: str = "zh") -> Event:
    from results.demo_union import demo_course

    event = Event.create(db, title=DEMO_TITLE, course=demo_course(), operator="演示", demo=True,
                         organizer="演示区总工会")
    with tempfile.TemporaryDirectory() as tmp:
        sheet = Path(tmp) / "报名表.xlsx"
        # The clerk's sheet has 6 rows that are not new riders (bad rows, repeats).
        make_clerk_workbook(sheet, n_riders=riders + 6, seed=seed)
        summary = import_registration(event, read_registration(sheet))
    if echo:
        c = summary.counts()
        echo(f"Registration sheet: {c['rows']} rows read, {c['imported']} riders imported, {c['rejected']} rows "
             f"rejected, {c['duplicate']} duplicates merged" if lang == "en" else
             f"报名表：读取 {c['rows']} 行，导入 {c['imported']} 人，拒绝 {c['rejected']} 行，合并重复 {c['duplicate']} 人")
    return event


def prepare_demo_event(db: str, *, seed: int, riders: int, checked_in: int = 40) -> None:
    """The event the interactive demo opens; an existing demo file is reused as it is."""
    path = Path(db)
    if _refuse_real_event(path):
        return
    with _create(path, seed, riders) as event:
        bibs = [e["bib"] for e in event.store.query("SELECT bib FROM entrants ORDER BY bib LIMIT ?", (checked_in,))]
        start_queue.check_in(event, bibs, track=1)


class SimulatedJudges:
    """Segment judges calling infractions while a rider is on course, from a seed."""

    def __init__(self, event: Event, seed: int) -> None:
        self.event = event
        self.rng = random.Random(seed)
        self.calls = 0

    def watch(self, outcome: ImpulseOutcome) -> None:
        if outcome.disposition != "start" or outcome.bib is None:
            return
        course = self.event.course
        for seg in course.segments:
            if self.rng.random() < 0.14:
                plain = [i for i in seg.infractions if not i.eliminates]
                inf = self.rng.choice(plain)
                judging.call_penalty(self.event, outcome.bib, seg.code, inf.code, run_id=outcome.run_id)
                self.calls += 1
            elif self.rng.random() < 0.004:
                inf = self.rng.choice([i for i in seg.infractions if i.eliminates])
                judging.call_penalty(self.event, outcome.bib, seg.code, inf.code, run_id=outcome.run_id)
                self.calls += 1


def ride(
    event: Event, *, tracks: dict[int, str], seed: int, judges: SimulatedJudges, start_tod_ns: int,
) -> dict[str, int]:
    """Play every rider waiting on the given tracks through simulated timers, in time order.

    Riders start every 20 s and ride 38–55 s: on a single-lane skills course
    nobody overtakes, so finishes come in start order, as on the real day.
    """
    sims: dict[int, TimerSimulator] = {}
    pipelines: dict[int, TrackPipeline] = {}
    decoders = {}
    for track, protocol in tracks.items():
        waiting = len(start_queue.waiting(event, track))
        if not waiting:
            continue
        sims[track] = TimerSimulator(
            protocol, riders=waiting, gap_ns=20 * S, course_ns=(38 * S, 55 * S), seed=seed * 31 + track,
            bounce_probability=0.03, noise_probability=0.01, start_tod_ns=start_tod_ns,
        )
        proto = get_protocol(protocol)
        pipe = TrackPipeline(event.path, track=track, protocol=proto, port=f"sim:{protocol}", on_outcome=judges.watch)
        pipe.use_event(event)
        pipelines[track] = pipe
        decoders[track] = proto.new_decoder()
    counts: dict[str, int] = {}
    while True:
        live = [(sim.next_event_ns(), track) for track, sim in sims.items() if not sim.done]
        if not live:
            break
        _, track = min((t, k) for t, k in live if t is not None)
        chunk = sims[track].step()
        host_ns = time.monotonic_ns()
        pipelines[track].bytes_received(chunk, host_ns)
        for frame in decoders[track].feed(chunk, host_ns):
            pipelines[track].frame_decoded(frame)
    for pipe in pipelines.values():
        for k, v in pipe.counts.items():
            counts[k] = counts.get(k, 0) + v
    return counts


@dataclass
class DemoSummary:
    db: str
    seconds: float = 0.0
    riders: int = 0
    runs: int = 0
    penalties: int = 0
    finalists: int = 0
    out_dir: Path | None = None
    lines: list[str] = field(default_factory=list)
    seals: list[str] = field(default_factory=list)


def play_headless(
    db: str, *, seed: int, riders: int, out_dir: Path | None, lang: str, echo: Callable[[str], None]
) -> DemoSummary:
    """A whole competition, start to awards, without the UI."""
    from competition.verify import verify_event
    from results.cut import advance
    from results.plain_text import standings_text
    from results.publish import write_award_documents
    from results.standings import build_standings

    en = lang == "en"
    began = time.perf_counter()
    path = Path(db)
    _fresh_demo_file(path)
    summary = DemoSummary(db)
    with _create(path, seed, riders, echo, lang) as event:
        summary.riders = event.store.query("SELECT COUNT(*) AS n FROM entrants")[0]["n"]
        judges = SimulatedJudges(event, seed)
        # Check-in: riders arrive in a shuffled order and alternate between the two tracks.
        bibs = [e["bib"] for e in event.store.query("SELECT bib FROM entrants ORDER BY bib")]
        random.Random(seed).shuffle(bibs)
        for track in DEMO_TRACKS:
            start_queue.check_in(event, bibs[track - 1 :: len(DEMO_TRACKS)], track=track)
        counts = ride(event, tracks=DEMO_TRACKS, seed=seed, judges=judges, start_tod_ns=9 * 3600 * S)
        prelim_name = round_name("prelim", lang, event.course)
        echo((f"{prelim_name}: " if en else f"{prelim_name}：") + counts_text(counts, lang))
        on_course = event.store.query("SELECT COUNT(*) AS n FROM runs WHERE state = 'on_course'")[0]["n"]
        if on_course:
            raise CommandRefused(f"演示出错：{on_course} 人仍在赛道上", f"demo error: {on_course} still on course")
        from results.demo_union import appeal_and_seal

        summary.seals.append(appeal_and_seal(event, "prelim", echo, en=en))
        report = advance(event, top=70)
        summary.finalists = len(report.bibs)
        echo((f"Cut: {len(report.bibs)} to the final" if en else f"晋级：{len(report.bibs)} 人进入决赛")
             + "".join(f"; {t.what_en if en else t.what_zh}" for t in report.ties))
        for attempt in (1, 2):
            start_queue.check_in_all(event, track=1)
            counts = ride(event, tracks={1: "alge"}, seed=seed * 7 + attempt, judges=judges,
                          start_tod_ns=(13 + attempt) * 3600 * S)
            echo((f"Final run {attempt}: " if en else f"决赛第 {attempt} 轮：") + counts_text(counts, lang))
        rng = random.Random(seed + 99)
        for bib in report.bibs:
            base = rng.randint(60, 92)
            for judge in ("风采裁判甲", "风采裁判乙", "风采裁判丙"):
                judging.score_style(event, bib, judge, max(0, min(100, base + rng.randint(-5, 5))))
        summary.seals.append(appeal_and_seal(event, "final", echo, en=en))
        final = build_standings(event, "final")
        echo(standings_text(final, lang).split("\n")[0])
        top = "\n".join(standings_text(final, lang).split("\n")[1:10])
        echo(top)
        target = out_dir or path.with_name(path.stem + "-颁奖")
        if target.exists() and not any(target.iterdir()):
            shutil.rmtree(target)
        published = write_award_documents(event, target, round_code=None, lang=lang, allow_ties=True)
        for line in published.lines(lang):
            echo(line)
        summary.out_dir = target
        summary.runs = event.store.query("SELECT COUNT(*) AS n FROM runs WHERE state = 'finished'")[0]["n"]
        summary.penalties = judges.calls
        verdict = verify_event(event)
        for line in verdict.lines(lang):
            echo(line)
        if not verdict.ok:
            raise CommandRefused("演示赛事校验失败", "demo event failed verification")
    summary.seconds = time.perf_counter() - began
    echo(
        f"Demo done in {summary.seconds:.1f} s: {summary.riders} riders, {summary.runs} runs, "
        f"{summary.penalties} penalty calls, {summary.finalists} finalists. Event file: {db}" if en else
        f"演示完成，用时 {summary.seconds:.1f} 秒：{summary.riders} 名选手，{summary.runs} 次成绩，"
        f"{summary.penalties} 次判罚，{summary.finalists} 人进入决赛。赛事文件：{db}"
    )
    return summary
