"""Model-based test of the event core: random referee days against a small reference model.

Hypothesis drives check-ins, starts, finishes, double triggers, stale starts,
penalties and withdrawals, DNF/DSQ/DNS (riding on or not), reruns, undone
starts and finishes, orphan assignments, confirmations, a second terminal's
writes (a second ``Event`` on the same file) and process restarts. After every
step the event must agree with ``tests.competition.event_model``: who waits
and who is on course on each track, every run's state, status, time and
confirmation, every impulse's disposition, every standing penalty on the run
the model says; the journal must verify and the projections rebuild equal.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from competition import judging, start_queue, timing
from competition.errors import CommandRefused
from competition.event import Event
from competition.verify import verify_event
from courses.loader import load_course
from hardware.impulse import DAY_NS, Channel, Impulse
from tests.competition.event_model import EventModel
from tests.conftest import register

S = 1_000_000_000
T0 = 10 * 3600 * S
BIBS = list(range(1, 9))
TRACKS = [1, 2]
STATUSES = ["DNF", "DSQ", "DNS", "OK"]


def _impulse(track: int, channel: str, t: int, seq: int) -> Impulse:
    return Impulse(
        protocol="alge", device=f"alge:T{track}", channel=Channel(channel),
        channel_raw="C0" if channel == "start" else "C1", device_seq=seq, device_time_ns=t,
        clock_modulus_ns=DAY_NS, resolution_ns=100_000, host_ns=t, bib=None, manual=False, replayed=False,
        cleared=False, bad_checksum=False, raw=b"line",
    )


class EventDay(RuleBasedStateMachine):
    """One event file, two terminals, and the model beside them."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.TemporaryDirectory(prefix="trackside-model-")
        self.path = Path(self.dir.name) / "event.db"
        self.events: list[Event] = []
        self.clock = T0
        self.device_seq = 0
        self.last: tuple[int, str, int] | None = None  # the impulse just recorded, for a double trigger
        self.run_ids: list[int] = []  # model run index -> run_id
        self.imp_seqs: list[int] = []  # model impulse index -> impulse seq
        self.penalty_ids: list[int] = []

    @initialize()
    def open_event(self) -> None:
        ev = Event.create(self.path, title="模型测试", course=load_course(None), day="2026-11-28", operator="裁判A")
        register(ev, len(BIBS))
        course = ev.course
        self.model = EventModel(BIBS, TRACKS, course.min_run_ns, course.time_limit_ns, course.double_trigger_ns)
        for track, bibs in ((1, [1, 2, 3]), (2, [4, 5, 6])):
            assert self.model.check_in(bibs, track)
            start_queue.check_in(ev, bibs, track=track)
        self.events = [ev, Event.open(self.path, operator="裁判B", terminal="terminal-2")]

    def teardown(self) -> None:
        for ev in self.events:
            ev.close()
        self.dir.cleanup()

    def _ev(self, terminal: int) -> Event:
        return self.events[terminal]

    def _attempt(self, expected_ok: bool, action) -> object:
        """Run an action on the event; it must succeed exactly when the model says it may."""
        event(f"{sys._getframe(1).f_code.co_name}: {'accepted' if expected_ok else 'refused'}")
        try:
            result = action()
        except CommandRefused as refused:
            assert not expected_ok, f"refused although the model allows it: {refused.message_en}"
            return None
        assert expected_ok, "accepted although the model refuses it"
        return result

    def _record(self, terminal: int, track: int, channel: str, t: int) -> None:
        disp, target = self.model.impulse(track, channel, t)
        self.device_seq += 1
        out = timing.record_impulse(self._ev(terminal), _impulse(track, channel, t, self.device_seq), track=track)
        assert out.disposition == disp, (out, disp)
        event(f"impulse: {disp}")
        assert out.seq is not None
        self.imp_seqs.append(out.seq)
        if disp == "start":
            assert target == len(self.run_ids) and out.run_id is not None
            self.run_ids.append(out.run_id)
        if disp == "finish":
            assert target is not None and out.run_id == self.run_ids[target], "the finish went to another rider"

    # -- the timer ---------------------------------------------------------------

    @rule(terminal=st.integers(0, 1), track=st.sampled_from(TRACKS), channel=st.sampled_from(["start", "finish"]),
          gap_ms=st.integers(1_000, 200_000))
    def impulse(self, terminal: int, track: int, channel: str, gap_ms: int) -> None:
        self.clock += gap_ms * 1_000_000
        self._record(terminal, track, channel, self.clock)
        self.last = (track, channel, self.clock)

    @rule(terminal=st.integers(0, 1), track=st.sampled_from(TRACKS), gap_ms=st.integers(1_000, 30_000))
    def start(self, terminal: int, track: int, gap_ms: int) -> None:
        self.impulse(terminal, track, "start", gap_ms)

    @rule(terminal=st.integers(0, 1), track=st.sampled_from(TRACKS), gap_ms=st.integers(1_000, 90_000))
    def finish(self, terminal: int, track: int, gap_ms: int) -> None:
        self.impulse(terminal, track, "finish", gap_ms)

    @precondition(lambda self: self.last is not None)
    @rule(terminal=st.integers(0, 1), bounce_ms=st.integers(1, 250))
    def double_trigger(self, terminal: int, bounce_ms: int) -> None:
        assert self.last is not None
        track, channel, t = self.last
        self._record(terminal, track, channel, t + bounce_ms * 1_000_000)
        self.clock = max(self.clock, t + bounce_ms * 1_000_000)
        self.last = None

    @rule(terminal=st.integers(0, 1), track=st.sampled_from(TRACKS), back_s=st.integers(1, 120))
    def stale_start(self, terminal: int, track: int, back_s: int) -> None:
        """A live start line stamped before what the track has already paired (issue #16)."""
        self.last = None
        self._record(terminal, track, "start", max(T0, self.clock - back_s * S))

    # -- the start queue -----------------------------------------------------------

    @rule(terminal=st.integers(0, 1), bibs=st.lists(st.sampled_from(BIBS), min_size=1, max_size=3),
          track=st.sampled_from(TRACKS))
    def check_in(self, terminal: int, bibs: list[int], track: int) -> None:
        self.last = None
        ok = self.model.check_in(bibs, track)
        self._attempt(ok, lambda: start_queue.check_in(self._ev(terminal), bibs, track=track))

    @rule(terminal=st.integers(0, 1), bib=st.sampled_from(BIBS))
    def scratch(self, terminal: int, bib: int) -> None:
        self.last = None
        ok = self.model.scratch(bib)
        self._attempt(ok, lambda: start_queue.scratch(self._ev(terminal), bib, reason="未到场"))

    # -- judges and the head referee -------------------------------------------------

    @rule(terminal=st.integers(0, 1), data=st.data(), count=st.integers(1, 2), anyone=st.booleans())
    def penalty(self, terminal: int, data: st.DataObject, count: int, anyone: bool) -> None:
        self.last = None
        ridden = sorted({r.bib for r in self.model.runs})
        bib = data.draw(st.sampled_from(BIBS if anyone or not ridden else ridden))
        run = self.model.call_penalty(bib, count)
        pid = self._attempt(
            run is not None, lambda: judging.call_penalty(self._ev(terminal), bib, "raogan", "pole_down", count=count)
        )
        if run is not None:
            assert isinstance(pid, int)
            self.penalty_ids.append(pid)

    @precondition(lambda self: bool(self.penalty_ids))
    @rule(terminal=st.integers(0, 1), data=st.data())
    def withdraw(self, terminal: int, data: st.DataObject) -> None:
        self.last = None
        p = data.draw(st.integers(0, len(self.penalty_ids) - 1))
        ok = self.model.withdraw(p)
        self._attempt(ok, lambda: judging.withdraw_penalty(self._ev(terminal), self.penalty_ids[p], reason="按错"))

    def _run(self, data: st.DataObject) -> int:
        return data.draw(st.integers(0, len(self.run_ids) - 1))

    @precondition(lambda self: bool(self.run_ids))
    @rule(terminal=st.integers(0, 1), data=st.data(), status=st.sampled_from(STATUSES),
          rides_on=st.sampled_from([None, True, False]))
    def set_status(self, terminal: int, data: st.DataObject, status: str, rides_on: bool | None) -> None:
        self.last = None
        r = self._run(data)
        ok = self.model.set_status(r, status, rides_on)
        self._attempt(ok, lambda: judging.set_status(self._ev(terminal), self.run_ids[r], status, reason="裁判决定",
                                                     rides_on=rides_on))

    @precondition(lambda self: bool(self.run_ids))
    @rule(terminal=st.integers(0, 1), data=st.data())
    def confirm(self, terminal: int, data: st.DataObject) -> None:
        self.last = None
        r = self._run(data)
        ok = self.model.confirm(r)
        self._attempt(ok, lambda: judging.confirm_run(self._ev(terminal), self.run_ids[r]))

    @precondition(lambda self: bool(self.run_ids))
    @rule(terminal=st.integers(0, 1), data=st.data())
    def unconfirm(self, terminal: int, data: st.DataObject) -> None:
        self.last = None
        r = self._run(data)
        ok = self.model.unconfirm(r)
        self._attempt(ok, lambda: judging.unconfirm_run(self._ev(terminal), self.run_ids[r], reason="裁判长复核"))

    @precondition(lambda self: bool(self.run_ids))
    @rule(terminal=st.integers(0, 1), data=st.data())
    def undo_start(self, terminal: int, data: st.DataObject) -> None:
        self.last = None
        r = self._run(data)
        ok = self.model.undo_start(r)
        self._attempt(ok, lambda: timing.undo_start(self._ev(terminal), self.run_ids[r], reason="抢跑"))

    @precondition(lambda self: bool(self.run_ids))
    @rule(terminal=st.integers(0, 1), data=st.data())
    def undo_finish(self, terminal: int, data: st.DataObject) -> None:
        self.last = None
        r = self._run(data)
        ok = self.model.undo_finish(r)
        self._attempt(ok, lambda: timing.undo_finish(self._ev(terminal), self.run_ids[r], reason="不是他的终点"))

    @precondition(lambda self: bool(self.run_ids))
    @rule(terminal=st.integers(0, 1), data=st.data())
    def rerun(self, terminal: int, data: st.DataObject) -> None:
        self.last = None
        r = self._run(data)
        ok = self.model.rerun(r)
        self._attempt(ok, lambda: judging.grant_rerun(self._ev(terminal), self.run_ids[r], reason="计时故障"))

    def _orphans(self, channel: str) -> list[int]:
        return [i for i, imp in enumerate(self.model.impulses) if imp.disp == "orphan" and imp.channel == channel]

    @precondition(lambda self: bool(self._orphans("start")))
    @rule(terminal=st.integers(0, 1), data=st.data(), bib=st.sampled_from(BIBS))
    def assign_start(self, terminal: int, data: st.DataObject, bib: int) -> None:
        self.last = None
        imp = data.draw(st.sampled_from(self._orphans("start")))
        where = self.model.waiting(bib)
        # Offered: riders queued on the impulse's own track (as the app's dialog does), and riders
        # who may not start at all (refused). A rider who could still check in is left out.
        if (where is not None and where != self.model.impulses[imp].track) or (
            where is None and self.model.can_check_in(bib)
        ):
            return
        run = self.model.assign_start(imp, bib)
        run_id = self._attempt(
            run is not None,
            lambda: timing.assign_impulse(self._ev(terminal), self.imp_seqs[imp], bib=bib, reason="漏签到", force=True),
        )
        if run is not None:
            assert run == len(self.run_ids)
            self.run_ids.append(int(run_id))  # type: ignore[call-overload]

    @precondition(lambda self: bool(self._orphans("finish")) and bool(self.run_ids))
    @rule(terminal=st.integers(0, 1), data=st.data(), force=st.booleans())
    def assign_finish(self, terminal: int, data: st.DataObject, force: bool) -> None:
        self.last = None
        imp = data.draw(st.sampled_from(self._orphans("finish")))
        r = self._run(data)
        ok = self.model.assign_finish(imp, r, force)
        self._attempt(ok, lambda: timing.assign_impulse(
            self._ev(terminal), self.imp_seqs[imp], run_id=self.run_ids[r], reason="裁判指定", force=force))

    # -- the laptop ----------------------------------------------------------------

    @rule()
    def restart(self) -> None:
        """Both processes close and open the file again."""
        self.last = None
        for ev in self.events:
            ev.close()
        self.events = [Event.open(self.path, operator="裁判A"), Event.open(self.path, operator="裁判B", terminal="t2")]

    # -- after every step --------------------------------------------------------------

    @invariant()
    def agrees_with_the_model(self) -> None:
        if not self.events:
            return
        ev, m = self.events[0], self.model
        for track in TRACKS:
            assert [w["bib"] for w in start_queue.waiting(ev, track)] == m.queues[track], f"queue {track}"
            assert [r["run_id"] for r in timing.on_course(ev, track)] == [
                self.run_ids[i] for i in m.on_course(track)
            ], f"on course {track}"
        runs = {r["run_id"]: r for r in ev.store.query("SELECT * FROM runs")}
        assert sorted(runs) == sorted(self.run_ids)
        for i, mr in enumerate(m.runs):
            r = runs[self.run_ids[i]]
            assert r["bib"] == mr.bib and r["track"] == mr.track
            assert (r["state"], r["status"], r["raw_ns"], bool(r["counts"]), bool(r["confirmed"])) == (
                mr.state, mr.status, mr.raw, mr.counts, mr.confirmed
            ), f"run of bib {mr.bib}"
            assert r["start_seq"] == self.imp_seqs[mr.start_imp]
            assert r["finish_seq"] == (None if mr.finish_imp is None else self.imp_seqs[mr.finish_imp])
        dispositions = {i["seq"]: i["disposition"] for i in ev.store.query("SELECT seq, disposition FROM impulses")}
        assert [dispositions[s] for s in self.imp_seqs] == [imp.disp for imp in m.impulses]
        penalties = {p["penalty_id"]: p for p in ev.store.query("SELECT * FROM penalties")}
        assert sorted(penalties) == sorted(self.penalty_ids)
        for i, mp in enumerate(m.penalties):
            p = penalties[self.penalty_ids[i]]
            run_index = self.run_ids.index(p["run_id"])
            assert run_index == mp.run, "a penalty landed on another run than the model's"
            assert p["bib"] == m.runs[mp.run].bib and p["count"] == mp.count and bool(p["withdrawn"]) == mp.withdrawn

    @invariant()
    def journal_verifies_and_rebuilds(self) -> None:
        if not self.events:
            return
        report = verify_event(self.events[1])  # the chain, and the projections rebuilt from the journal
        assert report.chain == [] and report.differences == [], report.lines("en")


SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much]}

TestEventDay = EventDay.TestCase
TestEventDay.settings = settings(max_examples=25, stateful_step_count=30, **SETTINGS)  # type: ignore[arg-type]


class SlowEventDay(EventDay):
    pass


TestEventDayLong = pytest.mark.slow(SlowEventDay.TestCase)
TestEventDayLong.settings = settings(max_examples=200, stateful_step_count=50, **SETTINGS)  # type: ignore[arg-type]
