"""Helpers for the real-output corpus in tests/fixtures/real: files, grammars, events.

The grammars are written from the corpus (captured lines where they exist,
else the documented examples) and checked against it in the tests, so a
simulator whose lines match them sends only what a real device has been seen,
or documented, to send. Optional parts a source documents but no capture shows
(ALGE CHK1, the REI2 extended line) are marked.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from competition import start_queue
from competition.event import Event
from courses.loader import load_course

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
ALGE_CAPTURES = sorted((REAL / "alge").glob("*.dump"))
ALGE_CLASSEMENTS = sorted((REAL / "alge").glob("classement-*.txt"))

GRAMMARS: dict[str, list[re.Pattern[bytes]]] = {
    "alge": [
        # impulses; [=-?]{2}: the optional CHK1 checksum (Timy3 manual; no capture has it)
        re.compile(rb"^[ ?cCdimtbp]\d{4}[ rb]C\d[ M] \d\d:\d\d:\d\d\.\d{4} \d\d(?:[0-?]{2})?\r?$"),
        re.compile(rb"^[ ci]\d{4}[ rb](?:RT|TT|DT|MT)[ MRT] \d\d:\d\d:\d\d\.\d{1,2} {2,5}\d\d(?: \d{4})?\r?$"),
        re.compile(rb"^[ns]\d{4}[rb]?\r?$"),
        re.compile(rb"^ {2,3}[A-Za-z0-9 .:-]+\r?$"),  # banners and printout headers
        re.compile(rb"^(?:CLASSEMENT:|ALL|RUN TIME|TOTAL TIME|MEMORY TIME|\d\d-\d\d-\d\d +\d\d:\d\d|\d\d - \d\d - \d\d +\d\d:\d\d)\r?$"),
    ],
    "tagheuer": [
        # THCOM08: the captured HL440 line pads bib and sequence with spaces and ends with
        # the day count; the zero-padded '00000' form is the documented (constructed) one.
        re.compile(rb"^[TA][N+=*C-] [ \d]{4} [ \d]{4} [ M\d]\d [ \d]\d:\d\d:\d\d\.\d{5} [ \d]{4}\d(?:\t[0-9A-F]{4})?\r?$"),
        re.compile(rb"^T[ +=*C-][ \d]{4} [ \d]{4} [ M\d]\d [ \d]{2}[ :]\d\d:\d\d\.\d{6}\r?$"),
        re.compile(rb"^RR \d{4} \d{4} +\d\d:\d\d:\d\d\.\d{5}\t?\r?$"),
        re.compile(rb"^!T \d\d:\d\d:\d\d \d\d/\d\d/\d\d\t?\r?$"),
        re.compile(rb"^#RT \d{4} \d{2}\t[0-9A-F]{4}\r?$"),
    ],
    "microgate": [
        re.compile(rb"^\d{4}\d{4}\d{3}\d{3}\d{3}\d[MRKAESsZ][ 1-]\d{9}\r?$"),
        re.compile(rb"^\x10[0-9 ]{11}[ \d]{5}\d{3}[0-9 ]{6}\d{3}[0PAQ]\d{10}$"),  # REI2 extended (documented only)
    ],
    "farmtek": [re.compile(rb"^[\x80ABCDS]\d{6}\r?$"), re.compile(rb"^\xf8$")],
    "raceamerica": [re.compile(rb"^[AB](?:\d{9}|E\d0{7})\r?$"), re.compile(rb"^Z[BW]\d{8}\r?$")],
    "stackmat": [re.compile(rb"^[ IASLRC]\d{5,6}[\x40-\x7f]\n?$")],
}


def split_lines(data: bytes, protocol: str) -> list[bytes]:
    """The corpus or simulator bytes cut into the units the grammar describes."""
    if protocol == "stackmat":
        return [p + b"\n" for p in data.replace(b"\n\r", b"\n").split(b"\n") if p]
    if protocol == "farmtek":
        data = data.replace(b"\xf8", b"\xf8\n")
    return [line for line in re.split(rb"\r\n|\r|\n", data) if line]


def matches(protocol: str, line: bytes) -> bool:
    return any(g.match(line) for g in GRAMMARS[protocol])


def timer_run_times(capture: bytes) -> dict[int, list[int]]:
    """Per bib, the RT values (ns) the TdC printed and did not cancel, read independently of the parser."""
    out: dict[int, list[int]] = defaultdict(list)
    for line in capture.decode("latin-1").splitlines():
        m = re.match(r"^([ ci])(\d{4})[ rb]RT  (\d\d):(\d\d):(\d\d)\.(\d\d)", line)
        if m is None:
            continue
        value = ((int(m[3]) * 60 + int(m[4])) * 60 + int(m[5])) * 10**9 + int(m[6]) * 10**7
        if m[1] == "c":
            out[int(m[2])].remove(value)
        else:
            out[int(m[2])].append(value)
    return out


def capture_bibs(capture: bytes) -> list[int]:
    return sorted({int(n) for n in re.findall(rb"^[ ?cin](\d{4})", capture, re.M)} - {0})


def new_event(path: Path, bibs: list[int], *, queue: list[int] | None = None, track: int = 1) -> Event:
    """An event with these bibs registered and ``queue`` (default: all, in order) checked in."""
    ev = Event.create(path, title="真实计时器", course=load_course(None), day="2026-11-28", operator="测试裁判")
    with ev.store.transaction():
        for bib in bibs:
            ev.store.append("entrant_registered", {
                "bib": bib, "name": f"选手{bib}", "phone": f"139{bib:08d}", "gender": None, "platform": "美团",
                "station": "站点", "id_number": None, "note": None, "extra": {}, "initials": f"xs{bib}"})
    start_queue.check_in(ev, queue if queue is not None else bibs, track=track)
    return ev


def finished_times(ev: Event, resolution_ns: int = 1) -> dict[int, list[int]]:
    """Per bib, Trackside's finished runs' times truncated to ``resolution_ns``, in run order."""
    out: dict[int, list[int]] = defaultdict(list)
    for r in ev.store.query("SELECT bib, raw_ns FROM runs WHERE state = 'finished' ORDER BY run_id"):
        out[r["bib"]].append(r["raw_ns"] - r["raw_ns"] % resolution_ns)
    return out
