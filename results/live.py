"""What the public sees live: riders on course, the last finishers, next up, standings.

These are the view models of the venue server's public pages and JSON
(``competition.web``), built from the event file alone. Everything here is
public: phones are masked, and no ID number, operator or terminal is ever
included. Clocks of riders on course are given as the elapsed time when the
snapshot was taken (the host's monotonic clock, the one the recorder stamps
with); the page runs them on from there, for display only.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from competition.privacy import mask_phone
from competition.times import format_duration, format_penalty

if TYPE_CHECKING:
    from competition.event import Event
    from results.standings import StandingsReport

LAST_FINISHES = 8
NEXT_UP = 5


def _public_rider(entrant: dict[str, Any]) -> dict[str, Any]:
    return {"bib": entrant["bib"], "name": entrant.get("name"), "platform": entrant.get("platform"),
            "station": entrant.get("station")}


def public_standings(report: StandingsReport, *, platform: str | None = None) -> dict[str, Any]:
    """The ``standings --json`` shape with phones masked (what ``/api/standings`` serves)."""
    from results.standings import standings_json

    data = standings_json(report, platform=platform)
    for row in data["standings"]:
        row["phone"] = mask_phone(row.get("phone"))
    return data


def on_course_now(event: Event, report: StandingsReport | None = None) -> list[dict[str, Any]]:
    """Riders on course, oldest start first, with their running time and calls so far."""
    from competition.timing import on_course

    precision = event.course.precision_ns
    now = time.monotonic_ns()
    penalties = _standing_calls(event, [r["run_id"] for r in on_course(event)])
    out = []
    for run in on_course(event):
        entrant = event.store.query("SELECT * FROM entrants WHERE bib = ?", (run["bib"],))[0]
        calls = penalties.get(run["run_id"], [])
        penalty_ns = sum(c["seconds_ns"] for c in calls)
        elapsed = max(0, now - int(run["start_host_ns"]))
        out.append({
            **_public_rider(entrant), "track": run["track"], "attempt": run["attempt"],
            "elapsed_ns": elapsed, "elapsed": format_duration(elapsed, precision),
            "penalty_ns": penalty_ns, "penalty": format_penalty(penalty_ns), "penalties": calls,
            "status": run["status"],
        })
    return out


def _standing_calls(event: Event, run_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    if not run_ids:
        return {}
    course = event.course
    marks = ",".join("?" * len(run_ids))
    out: dict[int, list[dict[str, Any]]] = {}
    for p in event.store.query(
        f"SELECT run_id, segment, code, SUM(count) AS n FROM penalties WHERE withdrawn = 0 AND run_id IN ({marks})"
        " GROUP BY run_id, segment, code ORDER BY MIN(penalty_id)",
        run_ids,
    ):
        seg = course.segment(p["segment"])
        inf = next((i for i in seg.infractions if i.code == p["code"]), None)
        n = int(p["n"])
        capped = min(n, inf.cap) if inf and inf.cap else n
        out.setdefault(p["run_id"], []).append({
            "segment": p["segment"], "segment_name_zh": seg.name_zh, "segment_name_en": seg.name_en,
            "code": p["code"], "name_zh": inf.name_zh if inf else p["code"],
            "name_en": inf.name_en if inf else p["code"], "count": n,
            "seconds_ns": (inf.penalty_ns * capped) if inf else 0, "eliminates": bool(inf and inf.eliminates),
        })
    return out


def last_finishes(event: Event, report: StandingsReport, *, limit: int = LAST_FINISHES) -> list[dict[str, Any]]:
    """The newest finished runs of the round with their provisional rank, newest first."""
    precision = report.course.precision_ns
    ranks = {s.bib: s for s in report.standings}
    rows = event.store.query(
        "SELECT r.run_id, r.bib, r.track, r.attempt FROM runs r WHERE r.round = ? AND r.state = 'finished'"
        " ORDER BY r.finished_seq DESC LIMIT ?",
        (report.round_code, limit),
    )
    from results.standings import scored_runs

    out = []
    for row in rows:
        scored = next((s for r, s in scored_runs(event, report.round_code, row["bib"]) if r["run_id"] == row["run_id"]), None)
        standing = ranks.get(row["bib"])
        entrant = report.entrants.get(row["bib"]) or event.store.query(
            "SELECT * FROM entrants WHERE bib = ?", (row["bib"],))[0]
        out.append({
            **_public_rider(entrant), "track": row["track"], "attempt": row["attempt"],
            "status": scored.status if scored else "OK",
            "raw": format_duration(scored.raw_truncated_ns if scored else None, precision),
            "penalty": format_penalty(scored.penalty_ns) if scored else "+0",
            "adjusted": format_duration(scored.adjusted_ns if scored else None, precision),
            "adjusted_ns": scored.adjusted_ns if scored else None,
            "rank": standing.rank if standing else None,
        })
    return out


def next_up(event: Event, *, limit: int = NEXT_UP) -> list[dict[str, Any]]:
    """The head of each track's start queue."""
    from competition.start_queue import waiting

    out: list[dict[str, Any]] = []
    per_track: dict[int, int] = {}
    for w in waiting(event):
        n = per_track.get(w["track"], 0)
        if n >= limit:
            continue
        per_track[w["track"]] = n + 1
        out.append({**_public_rider(w), "track": w["track"], "position": n + 1})
    return out


def live_snapshot(event: Event) -> dict[str, Any]:
    """Everything the live page and the board show, in one public dict."""
    from competition.round_states import provisional_banner
    from results.standings import build_standings

    report = build_standings(event, event.current_round)
    standings = public_standings(report)
    return {
        "title": event.title,
        "round": report.round_code,
        "state_zh": provisional_banner(event, report.round_code, "zh"),
        "state_en": provisional_banner(event, report.round_code, "en"),
        "on_course": on_course_now(event, report),
        "last_finishes": last_finishes(event, report),
        "next_up": next_up(event),
        "standings": standings,
    }


def rider_view(event: Event, bib: int) -> dict[str, Any] | None:
    """One rider's public page: every run with itemised penalties, status, rank, queue place."""
    from competition.start_queue import waiting
    from results.standings import build_standings, scored_runs

    rows = event.store.query("SELECT * FROM entrants WHERE bib = ?", (bib,))
    if not rows:
        return None
    entrant = rows[0]
    precision = event.course.precision_ns
    rounds = []
    for r in event.rounds():
        code = r["code"]
        report = build_standings(event, code)
        standing = next((s for s in report.standings if s.bib == bib), None)
        runs = []
        for row, scored in scored_runs(event, code, bib):
            runs.append({
                "attempt": row["attempt"], "track": row["track"], "state": row["state"], "status": scored.status,
                "raw": format_duration(scored.raw_truncated_ns, precision), "penalty": format_penalty(scored.penalty_ns),
                "adjusted": format_duration(scored.adjusted_ns, precision), "counts": bool(row["counts"]),
                "confirmed": bool(row["confirmed"]),
                "penalties": [{"segment_name_zh": ln.segment_name_zh, "segment_name_en": ln.segment_name_en,
                               "name_zh": ln.name_zh, "name_en": ln.name_en, "count": ln.count,
                               "seconds_ns": ln.seconds_ns, "penalty": format_penalty(ln.seconds_ns),
                               "eliminates": ln.eliminates} for ln in scored.lines],
            })
        if standing is None and not runs:
            continue
        rounds.append({"round": code, "rank": standing.rank if standing else None,
                       "status": standing.status if standing else None,
                       "qualified": report.qualified(standing) if standing else False,
                       "prize": (report.prize_of(standing) or (None,))[0] if standing else None,
                       "runs": runs})
    on = [r for r in on_course_now(event) if r["bib"] == bib]
    queue_place = None
    for w in waiting(event):
        if w["bib"] == bib:
            ahead = [x for x in waiting(event, track=w["track"]) if x["position"] < w["position"]]
            queue_place = {"track": w["track"], "position": len(ahead) + 1}
    return {**_public_rider(entrant), "phone": mask_phone(entrant.get("phone")), "rounds": rounds,
            "on_course": on[0] if on else None, "queued": queue_place}


def search_public(event: Event, query: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Bib, name, pinyin initials or phone tail -> public rider lines (masked phone)."""
    from competition.entrants import search_entrants

    query = query.strip()[:40]
    if not query:
        return []
    return [{**_public_rider(e), "phone": mask_phone(e.get("phone"))} for e in search_entrants(event, query, limit=limit)]


def award_ceremony(event: Event) -> dict[str, Any]:
    """The prizes in the order they are handed out (the lowest tier first), public fields only.

    Before the last round is over (or while a tie on a prize line is open) there
    is nothing to show yet: ``ready`` is false and ``why_zh``/``why_en`` say why.
    """
    from competition.errors import CommandRefused
    from results.awards import compute_awards

    try:
        result = compute_awards(event)
    except CommandRefused as exc:
        return {"ready": False, "why_zh": exc.message_zh, "why_en": exc.message_en, "prizes": []}
    precision = event.course.precision_ns
    groups: dict[int, dict[str, Any]] = {}
    for e in result.entries:
        g = groups.setdefault(e.place, {"place": e.place, "prize_zh": e.prize_zh, "prize_en": e.prize_en, "winners": []})
        g["winners"].append({"bib": e.bib, "name": e.name, "platform": e.platform, "station": e.station,
                             "result": format_duration(e.result_ns, precision) if e.result_ns is not None else None,
                             "style_score": e.style_score})
    ordered = sorted(groups.values(), key=lambda g: -g["place"])
    return {"ready": not result.ties_zh, "why_zh": "；".join(result.ties_zh), "why_en": "; ".join(result.ties_en),
            "prizes": ordered}
