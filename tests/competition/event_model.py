"""A small reference model of the event core, written apart from the implementation.

It keeps its own dicts and lists (queues per track, runs, impulses, penalty
calls) and says what each referee action or timer impulse must do by the
competition's rules, without reading the event file. The state machine in
``test_event_model.py`` drives the real event and this model side by side and
compares them after every step.

Rules it encodes (the course: minimum run, time limit, double-trigger window;
one attempt in the preliminary):
* a start takes the head of its track's queue; a finish closes the oldest run
  on course on its track (a DSQ/DNF rider who rides on included); nobody there:
  orphan. A finish under the minimum run is too short; over the limit, DNF.
* a live impulse older than the last impulse the track paired takes nobody.
* a second impulse on a channel inside the window of a recent one is a double.
* a penalty goes to the rider's run on course, else his latest run; never to
  a void or a confirmed run; confirmed runs take no change at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

S = 1_000_000_000
DAY = 86_400 * S
COUNTED = {"start", "finish", "double", "orphan", "too_short", "replaced", "candidate"}


@dataclass
class MImpulse:
    track: int
    channel: str  # start | finish
    t: int
    disp: str


@dataclass
class MRun:
    bib: int
    track: int
    start_imp: int
    state: str = "on_course"  # on_course | finished | void
    status: str = "OK"
    auto: bool = False  # the status is the time limit's DNF, not a referee's call
    raw: int | None = None
    finish_imp: int | None = None
    counts: bool = True
    confirmed: bool = False


@dataclass
class MPenalty:
    run: int
    count: int
    withdrawn: bool = False


@dataclass
class EventModel:
    bibs: list[int]
    tracks: list[int]
    min_run: int
    limit: int
    window: int
    attempts: int = 1
    queues: dict[int, list[int]] = field(default_factory=dict)
    runs: list[MRun] = field(default_factory=list)
    impulses: list[MImpulse] = field(default_factory=list)
    penalties: list[MPenalty] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.queues = {t: [] for t in self.tracks}

    # -- who is where ------------------------------------------------------

    def waiting(self, bib: int) -> int | None:
        return next((t for t, q in self.queues.items() if bib in q), None)

    def on_course(self, track: int) -> list[int]:
        return [i for i, r in enumerate(self.runs) if r.track == track and r.state == "on_course"]

    def riding(self, bib: int) -> bool:
        return any(r.bib == bib and r.state == "on_course" for r in self.runs)

    def attempts_used(self, bib: int) -> int:
        return sum(1 for r in self.runs if r.bib == bib and r.counts and r.state != "void")

    def can_check_in(self, bib: int) -> bool:
        return self.waiting(bib) is None and not self.riding(bib) and self.attempts_used(bib) < self.attempts

    def called(self, r: MRun) -> str | None:
        return None if r.status == "OK" or r.auto else r.status

    # -- the start queue -----------------------------------------------------

    def check_in(self, bibs: list[int], track: int) -> bool:
        if len(set(bibs)) != len(bibs) or not all(self.can_check_in(b) for b in bibs):
            return False
        self.queues[track].extend(bibs)
        return True

    def scratch(self, bib: int) -> bool:
        track = self.waiting(bib)
        if track is None:
            return False
        self.queues[track].remove(bib)
        return True

    # -- impulses --------------------------------------------------------------

    def _older_than_paired(self, track: int, t: int) -> bool:
        paired = [i for i in self.impulses if i.track == track and i.disp in ("start", "finish")]
        if not paired:
            return False
        diff = (paired[-1].t - t) % DAY
        return 0 < diff < DAY // 2

    def _double(self, track: int, channel: str, t: int) -> bool:
        recent = [i for i in self.impulses if i.track == track and i.channel == channel and i.disp in COUNTED][-3:]
        return any(min(abs(i.t - t), DAY - abs(i.t - t)) < self.window for i in recent)

    def _finish_run(self, run: MRun, imp_index: int, raw: int) -> None:
        keep = self.called(run)
        run.state, run.raw, run.finish_imp = "finished", raw, imp_index
        if keep is not None:
            run.status, run.auto = keep, False
        else:
            over = raw > self.limit
            run.status, run.auto = ("DNF", True) if over else ("OK", False)

    def impulse(self, track: int, channel: str, t: int) -> tuple[str, int | None]:
        """A live timer impulse: its disposition and the run (index) it started or finished."""
        index = len(self.impulses)
        imp = MImpulse(track, channel, t, "orphan")
        target: int | None = None
        if self._older_than_paired(track, t):
            imp.disp = "orphan"
        elif self._double(track, channel, t):
            imp.disp = "double"
        elif channel == "start":
            if self.queues[track]:
                bib = self.queues[track].pop(0)
                self.runs.append(MRun(bib, track, index))
                imp.disp, target = "start", len(self.runs) - 1
        else:
            riding = self.on_course(track)
            if riding:
                run = self.runs[riding[0]]
                raw = (t - self.impulses[run.start_imp].t) % DAY
                if raw < self.min_run:
                    imp.disp = "too_short"
                else:
                    imp.disp, target = "finish", riding[0]
        self.impulses.append(imp)
        if imp.disp == "finish" and target is not None:
            self._finish_run(self.runs[target], index, (t - self.impulses[self.runs[target].start_imp].t) % DAY)
        return imp.disp, target

    def assign_start(self, imp_index: int, bib: int) -> int | None:
        imp = self.impulses[imp_index]
        if imp.disp != "orphan" or imp.channel != "start" or bib not in self.queues[imp.track]:
            return None
        self.queues[imp.track].remove(bib)
        self.runs.append(MRun(bib, imp.track, imp_index))
        imp.disp = "start"
        return len(self.runs) - 1

    def assign_finish(self, imp_index: int, run_index: int, force: bool) -> bool:
        imp, run = self.impulses[imp_index], self.runs[run_index]
        if imp.disp != "orphan" or imp.channel != "finish" or run.state == "void" or run.confirmed:
            return False
        raw = (imp.t - self.impulses[run.start_imp].t) % DAY
        if (raw < self.min_run or raw > self.limit) and not force:
            return False
        if run.state == "finished":
            if run.finish_imp is not None:
                self.impulses[run.finish_imp].disp = "replaced"
            keep = self.called(run)
            run.raw, run.finish_imp = raw, imp_index
            if keep is None:
                run.status, run.auto = ("DNF", True) if raw > self.limit else ("OK", False)
        else:
            self._finish_run(run, imp_index, raw)
        imp.disp = "finish"
        return True

    # -- the referee's decisions -------------------------------------------------

    def current_run(self, bib: int) -> int | None:
        mine = [i for i, r in enumerate(self.runs) if r.bib == bib and r.state != "void"]
        riding = [i for i in mine if self.runs[i].state == "on_course"]
        return (riding or mine or [None])[-1]

    def call_penalty(self, bib: int, count: int) -> int | None:
        """The run the call lands on, or None when the rider may not take one."""
        run = self.current_run(bib)
        if run is None or self.runs[run].confirmed:
            return None
        self.penalties.append(MPenalty(run, count))
        return run

    def withdraw(self, p: int) -> bool:
        pen = self.penalties[p]
        if pen.withdrawn or self.runs[pen.run].confirmed:
            return False
        pen.withdrawn = True
        return True

    def set_status(self, run_index: int, status: str, rides_on: bool | None) -> bool:
        run = self.runs[run_index]
        if run.state == "void" or run.confirmed:
            return False
        if run.state == "on_course":
            if status == "OK" and run.status == "OK":
                return False
            if status == "DNS" and rides_on:
                return False
            stays = True if status == "OK" else ((status == "DSQ") if rides_on is None else rides_on)
            if run.status == status:
                if status != "OK" and rides_on is False:
                    run.state = "finished"
                return True
            run.status, run.auto = status, False
            if not stays:
                run.state = "finished"
            return True
        if rides_on is not None or (status == "OK" and run.raw is None):
            return False
        if run.status != status:
            run.status, run.auto = status, False
        return True

    def confirm(self, run_index: int) -> bool:
        run = self.runs[run_index]
        if run.state != "finished":
            return False
        run.confirmed = True
        return True

    def unconfirm(self, run_index: int) -> bool:
        run = self.runs[run_index]
        if not run.confirmed:
            return False
        run.confirmed = False
        return True

    def undo_start(self, run_index: int) -> bool:
        run = self.runs[run_index]
        if run.confirmed or run.state != "on_course":
            return False
        run.state, run.counts = "void", False
        self.impulses[run.start_imp].disp = "orphan"
        if self.waiting(run.bib) is None:
            self.queues[run.track].insert(0, run.bib)
        return True

    def undo_finish(self, run_index: int) -> bool:
        run = self.runs[run_index]
        if run.confirmed or run.state != "finished" or run.finish_imp is None:
            return False
        if not run.counts or self.waiting(run.bib) is not None:
            return False  # he would be on course and in a queue at once
        self.impulses[run.finish_imp].disp = "orphan"
        keep = self.called(run)
        run.state, run.raw, run.finish_imp = "on_course", None, None
        run.status, run.auto = (keep, False) if keep is not None else ("OK", False)
        return True

    def rerun(self, run_index: int) -> bool:
        run = self.runs[run_index]
        if run.state == "on_course" or not run.counts or run.confirmed:
            return False
        run.counts = False
        if self.waiting(run.bib) is None:
            self.queues[run.track].insert(0, run.bib)
        return True
