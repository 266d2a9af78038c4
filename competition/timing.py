"""Impulses into runs: dedupe, journal, and pairing on a track.

A start impulse takes the next rider of the track's start queue; a finish
closes the oldest run on course, so two riders can be on the course at once.
Every impulse is kept, also the ones that are not used: a second impulse on a
channel inside the double-trigger window ('double'), a finish sooner than the
minimum run time ('too_short'), a start with nobody waiting or a finish with
nobody on course ('orphan', shown loudly and assignable by hand), cleared or
bad-checksum lines ('unusable'), splits ('split'). A finish replayed from the
timer's memory for a run that was already finished by hand becomes a
'candidate' the referee may pick; nothing is replaced silently.

Elapsed time is finish minus start on the same clock: the timer's own clock
where both impulses carry it (modulo its wrap: midnight for a time of day),
else the host's monotonic clock, converting a hand-keyed impulse onto the
device clock through the device's last known offset.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused, require_reason
from competition.judging import require_unlocked
from competition.start_queue import attempts_used
from competition.times import TIME_LIMIT_REASON
from competition.timing_queries import (  # noqa: F401  re-exported: the read side of this module
    MANUAL_PROTOCOL,
    impulses,
    last_device_seq,
    on_course,
    orphans,
    rejected_frames,
    run,
    run_states,
)
from hardware.impulse import Channel, Impulse

if TYPE_CHECKING:
    from competition.event import Event

MANUAL_DEVICE = "keyboard"
MANUAL_RESOLUTION_NS = 10_000_000


@dataclass(frozen=True, slots=True)
class ImpulseOutcome:
    """What one impulse did; the app shows it and sounds the alarm on 'orphan'."""

    seq: int | None  # journal row of the impulse (None for a dropped duplicate)
    disposition: str  # start | finish | double | too_short | orphan | unusable | split | candidate | duplicate
    track: int
    channel: str
    run_id: int | None = None
    bib: int | None = None
    raw_ns: int | None = None
    status: str | None = None


def _impulse_payload(impulse: Impulse, track: int) -> dict[str, Any]:
    return {
        "track": track,
        "protocol": impulse.protocol,
        "device": impulse.device,
        "channel": str(impulse.channel.value),
        "channel_raw": impulse.channel_raw,
        "device_seq": impulse.device_seq,
        # Reduced modulo the clock's wrap, as in the dedupe key: a decoder that
        # started after a millis() wrap unwraps the same counter differently.
        "device_time_ns": impulse.dedupe_key()[3],
        "clock_modulus_ns": impulse.clock_modulus_ns,
        "resolution_ns": impulse.resolution_ns,
        "host_ns": impulse.host_ns,
        "bib": impulse.bib,
        "manual": impulse.manual,
        "replayed": impulse.replayed,
        "cleared": impulse.cleared,
        "bad_checksum": impulse.bad_checksum,
        "raw": base64.b64encode(impulse.raw).decode("ascii"),
    }


def _is_duplicate(event: Event, impulse: Impulse) -> bool:
    if impulse.device_seq is None and impulse.device_time_ns is None:
        return False
    # A copy with a bad checksum does not count: its good replay must get in.
    rows = event.store.conn.execute(
        "SELECT 1 FROM impulses WHERE device = ? AND device_seq IS ? AND channel_raw = ? AND device_time_ns IS ?"
        " AND bad_checksum = 0 LIMIT 1",
        impulse.dedupe_key(),
    ).fetchone()
    return rows is not None


def _device_offset(event: Event, device: str) -> tuple[int, int] | None:
    """(device time - host time, modulus) from the device's latest clocked impulse."""
    row = event.store.conn.execute(
        "SELECT device_time_ns, host_ns, clock_modulus_ns FROM impulses WHERE device = ? AND device_time_ns IS NOT NULL"
        " AND replayed = 0 ORDER BY seq DESC LIMIT 1",
        (device,),
    ).fetchone()
    if row is None:
        return None
    return int(row[0]) - int(row[1]), int(row[2]) if row[2] else 0


def _on_clock_of(event: Event, imp: dict[str, Any], other: dict[str, Any]) -> int:
    """``imp``'s instant on ``other``'s clock (device clock if ``other`` has one)."""
    if other["device_time_ns"] is not None and (
        imp["device_time_ns"] is None or imp["device"] != other["device"]
    ):
        # The reference impulse's own device-minus-host offset is the nearest in
        # time; a replayed one's host time is the replay's, so ask the journal.
        offset = (
            (int(other["device_time_ns"]) - int(other["host_ns"]), int(other["clock_modulus_ns"] or 0))
            if not other.get("replayed")
            else _device_offset(event, other["device"])
        )
        if offset is not None:
            value = imp["host_ns"] + offset[0]
            return value % offset[1] if offset[1] else value
        return int(imp["host_ns"])
    if other["device_time_ns"] is None:
        return int(imp["host_ns"])
    return int(imp["device_time_ns"])


def elapsed_between(event: Event, start: dict[str, Any], finish: dict[str, Any]) -> int:
    """Finish minus start on one clock, handling the device clock's wrap (midnight)."""
    if start["device_time_ns"] is not None and finish["device_time_ns"] is not None and start["device"] == finish["device"]:
        diff = int(finish["device_time_ns"]) - int(start["device_time_ns"])
        modulus = finish["clock_modulus_ns"] or start["clock_modulus_ns"]
        return diff % modulus if modulus else diff
    if start["device_time_ns"] is None and finish["device_time_ns"] is None:
        return int(finish["host_ns"]) - int(start["host_ns"])
    # One side keyed by hand: bring it onto the timer's clock.
    reference = finish if finish["device_time_ns"] is not None else start
    s = _on_clock_of(event, start, reference)
    f = _on_clock_of(event, finish, reference)
    modulus = reference["clock_modulus_ns"]
    diff = f - s
    return diff % modulus if modulus else diff


def _gap(a: dict[str, Any], b: dict[str, Any]) -> int:
    """Absolute distance in time between two impulses of one channel."""
    if a["device_time_ns"] is not None and b["device_time_ns"] is not None and a["device"] == b["device"]:
        diff = abs(int(a["device_time_ns"]) - int(b["device_time_ns"]))
        modulus = a["clock_modulus_ns"]
        return min(diff, modulus - diff) if modulus else diff
    return abs(int(a["host_ns"]) - int(b["host_ns"]))


def _impulse_row(event: Event, seq: int) -> dict[str, Any]:
    rows = event.store.query("SELECT * FROM impulses WHERE seq = ?", (seq,))
    if not rows:
        raise CommandRefused(f"没有编号为 {seq} 的计时脉冲。", f"No impulse #{seq}.")
    return rows[0]


def _older_than_recorded(event: Event, track: int, impulse: Impulse, *, paired_only: bool = False) -> bool:
    """True if an impulse happened before the last usable (``paired_only``: the last
    paired) impulse of its device on this track."""
    if impulse.device_time_ns is None:
        return False  # host-stamped: no device clock to compare (and no query to run)
    row = event.store.conn.execute(
        "SELECT device_time_ns, clock_modulus_ns FROM impulses WHERE track = ? AND device = ? AND cleared = 0"
        " AND bad_checksum = 0 AND device_time_ns IS NOT NULL"
        + (" AND disposition IN ('start', 'finish')" if paired_only else "")
        + " ORDER BY seq DESC LIMIT 1",
        (track, impulse.device),
    ).fetchone()
    if row is None:
        return False
    last, modulus = int(row[0]), row[1]
    ahead = impulse.dedupe_key()[3] or 0
    diff = last - ahead
    if modulus:
        diff %= modulus
        window = modulus // 2
        if paired_only:
            # A short counter (a console's 1000 s wrap) makes "before" ambiguous: a live
            # impulse counts as stale only within one run's time limit of the last paired one.
            window = min(window, event.course.time_limit_ns)
        return 0 < diff < window
    return diff > 0


def _is_double(event: Event, track: int, channel: str, candidate: dict[str, Any]) -> bool:
    window = event.course.double_trigger_ns
    rows = event.store.conn.execute(
        "SELECT device, device_time_ns, clock_modulus_ns, host_ns FROM impulses WHERE track = ? AND channel = ?"
        " AND cleared = 0 AND bad_checksum = 0"
        " AND disposition IN ('start', 'finish', 'double', 'orphan', 'too_short', 'replaced', 'candidate')"
        " ORDER BY seq DESC LIMIT 3",
        (track, channel),
    ).fetchall()
    return any(
        _gap({"device": r[0], "device_time_ns": r[1], "clock_modulus_ns": r[2], "host_ns": r[3]}, candidate) < window
        for r in rows
    )


def _finish_outcome(
    event: Event, start: dict[str, Any], finish: dict[str, Any], run: dict[str, Any] | None = None
) -> dict[str, Any]:
    raw_ns = elapsed_between(event, start, finish)
    over = raw_ns > event.course.time_limit_ns
    out = {
        "raw_ns": raw_ns,
        "status": "DNF" if over else "OK",
        "status_reason": TIME_LIMIT_REASON if over else None,
        "over_time_limit": over,
        "manual": bool(finish["manual"] or start["manual"]),
    }
    called = called_status(run) if run is not None else None
    if called is not None:
        # A DSQ/DNF the referee called (say while he rode on): his time is recorded, his status kept.
        out["status"], out["status_reason"] = called, run.get("status_reason") if run is not None else None
    return out


def called_status(run: dict[str, Any]) -> str | None:
    """The run's DNF/DSQ/DNS if a referee called it (not the time limit's automatic DNF), else None."""
    status = run.get("status")
    if status in (None, "OK"):
        return None
    if status == "DNF" and run.get("over_time_limit") and run.get("status_reason") == TIME_LIMIT_REASON:
        return None
    return str(status)


def _start_run(event: Event, bib: int, track: int, impulse_seq: int, host_ns: int, manual: bool) -> int:
    code = event.current_round
    row = event.store.append(
        "run_started",
        {
            "bib": bib,
            "round": code,
            "track": track,
            "attempt": attempts_used(event, bib, code) + 1,
            "start_seq": impulse_seq,
            "start_host_ns": host_ns,
            "manual": manual,
        },
    )
    return row.seq


def record_impulse(
    event: Event, impulse: Impulse, *, track: int, run_id: int | None = None, hold_pairing: str | None = None
) -> ImpulseOutcome:
    """Journal one impulse and pair it, in one transaction. ``run_id`` aims a manual finish.

    ``hold_pairing``: why it must wait for the referee as an orphan (written into
    the payload as ``held``): ``sequence_gap`` or ``before_session``, see
    ``competition/timing_holds.py``.
    """
    store = event.store
    channel = str(impulse.channel.value)
    with store.transaction():
        # Corrections and the timer's own rider numbers (issue #11) are paired there.
        from competition.pairing_by_number import by_timer

        taken = by_timer(event, impulse, track=track, run_id=run_id)
        if taken is not None:
            return taken
        if _is_duplicate(event, impulse):
            return ImpulseOutcome(None, "duplicate", track, channel)
        payload = _impulse_payload(impulse, track)
        probe = {**payload, "seq": None}
        disposition = "orphan"
        target: dict[str, Any] | None = None
        result: dict[str, Any] = {}
        if not impulse.usable:
            disposition = "unusable"
        elif hold_pairing:
            disposition = "orphan"
        elif impulse.replayed and (impulse.device_time_ns is None or _older_than_recorded(event, track, impulse)):
            # A host-stamped impulse heard only in a replay carries the replay's
            # time, not its own; and a replayed impulse older than what the track
            # has already paired (say from before this listener ever ran) would
            # take the wrong rider. Never time a run with either: the referee decides.
            disposition = "orphan"
        elif impulse.channel is Channel.SPLIT:
            disposition = "split"
        elif not impulse.replayed and _older_than_recorded(event, track, impulse, paired_only=True):
            # A live impulse from before what the track has already paired (a
            # late or resent line) must not take the next rider: the referee decides.
            disposition = "orphan"
        elif _is_double(event, track, channel, probe):
            disposition = "double"
        elif impulse.channel is Channel.START:
            head = store.query(
                "SELECT bib FROM queue WHERE round = ? AND track = ? AND state = 'waiting' ORDER BY position, entry_id LIMIT 1",
                (event.current_round, track),
            )
            if head:
                disposition = "start"
                target = head[0]
        else:
            if run_id is not None:
                runs = store.query("SELECT * FROM runs WHERE run_id = ? AND state = 'on_course'", (run_id,))
            else:
                runs = store.query(
                    "SELECT * FROM runs WHERE track = ? AND state = 'on_course' ORDER BY run_id LIMIT 1", (track,)
                )
            if runs:
                # The probe carries every field elapsed time needs: no re-read after the insert.
                result = _finish_outcome(event, _impulse_row(event, runs[0]["start_seq"]), probe, runs[0])
                if result["raw_ns"] < event.course.min_run_ns:
                    disposition = "too_short"
                else:
                    disposition = "finish"
                    target = runs[0]
            elif impulse.replayed:
                manual_runs = store.query(
                    "SELECT r.* FROM runs r JOIN impulses i ON i.seq = r.finish_seq"
                    " WHERE r.track = ? AND r.state = 'finished' AND i.manual = 1 ORDER BY r.run_id",
                    (track,),
                )
                if manual_runs:
                    disposition = "candidate"
                    target = manual_runs[0]
        payload["disposition"] = disposition
        if hold_pairing and disposition == "orphan":
            payload["held"] = hold_pairing
        payload["run_id"] = target["run_id"] if disposition == "candidate" and target else None
        row = store.append("impulse_recorded", payload)
        if disposition == "start" and target is not None:
            new_run = _start_run(event, target["bib"], track, row.seq, impulse.host_ns, impulse.manual)
            return ImpulseOutcome(row.seq, "start", track, channel, new_run, target["bib"])
        if disposition == "finish" and target is not None:
            store.append("run_finished", {"run_id": target["run_id"], "bib": target["bib"], "finish_seq": row.seq, **result})
            return ImpulseOutcome(
                row.seq, "finish", track, channel, target["run_id"], target["bib"], result["raw_ns"], result["status"]
            )
        if disposition == "candidate" and target is not None:
            return ImpulseOutcome(row.seq, "candidate", track, channel, target["run_id"], target["bib"])
        return ImpulseOutcome(row.seq, disposition, track, channel)


def manual_impulse(event: Event, *, track: int, channel: Channel, run_id: int | None = None) -> ImpulseOutcome:
    """A start or finish keyed by the referee when a pad fails (flagged manual)."""
    impulse = Impulse(
        protocol=MANUAL_PROTOCOL,
        device=MANUAL_DEVICE,
        channel=channel,
        channel_raw="M" + ("S" if channel is Channel.START else "F"),
        device_seq=None,
        device_time_ns=None,
        clock_modulus_ns=None,
        resolution_ns=MANUAL_RESOLUTION_NS,
        host_ns=time.monotonic_ns(),
        bib=None,
        manual=True,
        replayed=False,
        cleared=False,
        bad_checksum=False,
        raw=b"",
    )
    if channel is Channel.FINISH:
        on_course = event.store.query("SELECT run_id FROM runs WHERE track = ? AND state = 'on_course'", (track,))
        if not on_course:
            raise CommandRefused(f"{track} 道没有选手在赛道上。", f"Nobody is on course on track {track}.")
    if channel is Channel.START and not event.store.query(
        "SELECT 1 FROM queue WHERE round = ? AND track = ? AND state = 'waiting'", (event.current_round, track)
    ):
        raise CommandRefused(f"{track} 道出发队列为空。", f"The start queue of track {track} is empty.")
    return record_impulse(event, impulse, track=track, run_id=run_id)


# -- referee decisions on impulses ---------------------------------------------


def undo_start(event: Event, run_id: int, *, reason: str) -> None:
    """A false start or the wrong rider: the run is void, the rider back at the front."""
    require_reason(reason)
    r = run(event, run_id)
    require_unlocked(r)
    if r["state"] != "on_course":
        raise CommandRefused(f"{r['bib']} 号不在赛道上，不能撤销出发。", f"Bib {r['bib']} is not on course; cannot undo the start.")
    # Back at the front, unless he already waits for another start (one queue entry per rider).
    requeue = not _waiting(event, r["bib"])
    event.store.record("run_start_undone", {"run_id": run_id, "bib": r["bib"], "reason": reason, "requeue": requeue})


def _waiting(event: Event, bib: int) -> bool:
    return bool(event.store.query("SELECT 1 FROM queue WHERE bib = ? AND state = 'waiting' LIMIT 1", (bib,)))


def undo_finish(event: Event, run_id: int, *, reason: str) -> None:
    """The finish went to the wrong run: back on course, the impulse an orphan."""
    require_reason(reason)
    r = run(event, run_id)
    require_unlocked(r)
    if r["state"] != "finished" or r["finish_seq"] is None:
        raise CommandRefused(f"{r['bib']} 号没有终点时间可撤销。", f"Bib {r['bib']} has no finish to undo.")
    # Back on course while also queued (a rerun granted, the next attempt) would put him
    # on course twice: give the right finish with `timing assign … --run` instead.
    if not r["counts"]:
        raise CommandRefused(
            f"成绩 #{run_id} 已准予重赛，不再计入，不能撤销到达。",
            f"Run #{run_id} was replaced by a granted rerun; its finish cannot be undone.",
        )
    if _waiting(event, r["bib"]):
        raise CommandRefused(
            f"{r['bib']} 号已在出发队列中等待下一次出发，不能让他回到赛道上；请用 timing assign … --run 指定正确的终点。",
            f"Bib {r['bib']} is waiting to start again and cannot go back on course; give the right finish"
            " with timing assign … --run instead.",
        )
    payload: dict[str, Any] = {"run_id": run_id, "bib": r["bib"], "reason": reason}
    if called_status(r) is not None:
        # A DSQ/DNF the referee called stays: he is back on course riding on with it.
        payload["keep_status"], payload["keep_reason"] = r["status"], r["status_reason"]
    event.store.record("run_finish_undone", payload)


def assign_impulse(
    event: Event, impulse_seq: int, *, reason: str, bib: int | None = None, run_id: int | None = None,
    force: bool = False,
) -> int:
    """Give an orphan (or candidate) impulse to a rider by hand. Returns the run id.

    A result outside the course's limits is refused unless ``force`` (with the
    reason); ``competition.assignment.preview_assignment`` shows it beforehand.
    """
    from competition.assignment import assign

    return assign(event, impulse_seq, reason=reason, bib=bib, run_id=run_id, force=force)


def discard_impulse(event: Event, impulse_seq: int, *, reason: str) -> None:
    """Set aside an impulse nobody should get (a test slap, a spectator on the pad). Kept, never used."""
    require_reason(reason)
    imp = _impulse_row(event, impulse_seq)
    if imp["disposition"] in ("start", "finish"):
        raise CommandRefused(
            f"脉冲 {impulse_seq} 正被一次成绩使用：请先撤销出发或到达。",
            f"Impulse {impulse_seq} times a run: undo that start or finish first.",
        )
    if imp["disposition"] == "discarded":
        return
    event.store.record(
        "impulse_disposed", {"impulse_seq": impulse_seq, "disposition": "discarded", "reason": reason}
    )


def choose_finish(event: Event, run_id: int, impulse_seq: int, *, reason: str, force: bool = False) -> None:
    """Pick which finish impulse is the real one (e.g. the timer's memory over a hand-keyed one)."""
    assign_impulse(event, impulse_seq, reason=reason, run_id=run_id, force=force)


def record_raw_bytes(event: Event, *, track: int, port: str, protocol: str, chunk: bytes, host_ns: int) -> int:
    """Store bytes as they came off the wire, before anything parses them."""
    row = event.store.record(
        "raw_bytes",
        {"track": track, "port": port, "protocol": protocol, "host_ns": host_ns,
         "b64": base64.b64encode(chunk).decode("ascii")},
    )
    return row.seq


def record_rejected(event: Event, *, track: int, protocol: str, raw: bytes, reason_zh: str, reason_en: str) -> None:
    event.store.record(
        "frame_rejected",
        {"track": track, "protocol": protocol, "b64": base64.b64encode(raw).decode("ascii"),
         "reason_zh": reason_zh, "reason_en": reason_en},
    )


def record_port_status(event: Event, *, track: int, url: str, protocol: str, online: bool, error: str | None,
                       settings: str | None = None) -> None:
    """A port came online or went offline; ``settings`` (baud, handshake, numbers mode) when it came online,
    so the journal shows which serial settings every impulse after it was read with."""
    payload: dict[str, object] = {"track": track, "url": url, "protocol": protocol, "online": online, "error": error}
    if settings is not None:
        payload["settings"] = settings
    event.store.record("port_status", payload)
