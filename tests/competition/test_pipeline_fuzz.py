"""Hypothesis over the whole pipeline: framer -> parser -> range check -> dedupe -> gaps -> pairing -> journal.

For every protocol, on arbitrary bytes and on valid lines whose fields carry
extreme values (checksums recomputed, so the lines get past them): no
exception escapes, ``verify`` stays OK, every byte is in the raw rows, and
every frame became exactly one journal row (impulse, rejection) or a dropped
duplicate. Small in the default suite; ``pytest -m slow`` runs many more.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from competition import start_queue
from competition.event import Event
from competition.recorder import replay_capture
from competition.verify import verify_event
from hardware.protocols import PROTOCOLS, get_protocol
from hardware.protocols.alge import chk1
from hardware.protocols.pad import xor_checksum
from hardware.protocols.tagheuer import sum16
from hardware.simulator import TimerSimulator
from tests.conftest import register

NAMES = sorted(PROTOCOLS)
S = 10**9
_TEMPLATE: dict[str, Path] = {}


@pytest.fixture(scope="module")
def template() -> Iterator[Path]:
    """A closed event with riders queued on track 1, copied for each example."""
    from courses.loader import load_course

    folder = Path(tempfile.mkdtemp(prefix="trackside-fuzz-"))
    path = folder / "template.db"
    with Event.create(path, title="fuzz", course=load_course(None), day="2026-11-28", operator="fuzz") as ev:
        register(ev, 8)
        start_queue.check_in(ev, list(range(1, 9)), track=1)
    try:
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _fresh(template: Path) -> Path:
    target = Path(tempfile.mkdtemp(prefix="trackside-fuzz-ex-")) / "e.db"
    shutil.copyfile(template, target)
    return target


def _check_pipeline(template: Path, protocol: str, data: bytes) -> None:
    path = _fresh(template)
    try:
        with Event.open(path) as ev:
            counts = replay_capture(ev, data, protocol=protocol, track=1, chunk_size=97)
            assert verify_event(ev).ok
            raws = ev.store.query("SELECT payload FROM journal WHERE kind = 'raw_bytes' ORDER BY seq")
            kept = b"".join(base64.b64decode(json.loads(r["payload"])["b64"]) for r in raws)
            assert kept == data  # every raw byte journaled, in order
            journaled = ev.store.query(
                "SELECT COUNT(*) AS n FROM journal WHERE kind IN ('impulse_recorded', 'frame_rejected', 'timer_record')"
            )[0]["n"]
        # Every frame the decoder made is one row or a dropped duplicate; none vanished.
        decoder = get_protocol(protocol).new_decoder()
        frames = []
        for start in range(0, len(data), 97):
            frames += decoder.feed(data[start:start + 97], 0)
        frames += decoder.flush(0)
        assert journaled + counts["duplicate"] == len(frames)
        assert counts["internal_error"] == 0
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


_special = st.sampled_from([b"\r", b"\n", b"\r\n", b"\x00", b"\x10", b" ", b",", b"\t", b"C0", b"TN ", b"AN ",
                            b"P,1,1,S,5,", b"p,1A,", b"BOOT", b"ALGE-TIMING", b":", b".", b"9" * 30])
streams = st.lists(st.one_of(_special, st.binary(max_size=40)), max_size=30).map(b"".join)


def _valid_lines(protocol: str, seed: int) -> list[bytes]:
    sim = TimerSimulator(protocol, riders=4, gap_ns=20 * S, course_ns=(38 * S, 55 * S), seed=seed)
    out = sim.run_all()
    return [line + b"\n" for line in re.split(rb"[\r\n]+", out) if line]


def _fix_checksum(protocol: str, line: bytes) -> bytes:
    text = line.rstrip(b"\r\n").decode("latin-1")
    if protocol == "pad" and "," in text:
        body = text.rpartition(",")[0]
        text = f"{body},{xor_checksum(body)}"
    elif protocol == "alge" and len(text) >= 28:
        text = text[:26] + chk1(text[:26]) + text[28:]
    elif protocol == "tagheuer" and "\t" in text:
        body = text.partition("\t")[0]
        text = f"{body}\t{sum16(body)}"
    return text.encode("latin-1") + (b"\r" if protocol in ("alge", "microgate") else b"\r\n")


@st.composite
def extreme_lines(draw: st.DrawFn, protocol: str) -> bytes:
    """Valid device lines whose digit fields are replaced by extreme values, checksums fixed."""
    lines = _valid_lines(protocol, draw(st.integers(0, 50)))
    out = []
    for line in lines:
        if draw(st.booleans()):
            digits = [m.span() for m in re.finditer(rb"\d+", line)]
            if digits:
                a, b = draw(st.sampled_from(digits))
                width = b - a
                value = draw(st.one_of(
                    st.just("9" * width), st.just("0" * width),
                    st.integers(0, 10**width - 1).map(lambda v, w=width: str(v).zfill(w)),
                    # Variable-width fields (the pad's): far past any range.
                    st.sampled_from(["9223372036854775808", "18446744073709551616", "9" * 200, "4294967296"]),
                ))
                if protocol != "pad":
                    value = value[:width].rjust(width, "0")
                line = line[:a] + value.encode() + line[b:]
        out.append(_fix_checksum(protocol, line))
    return b"".join(out)


def _arbitrary(protocol: str, examples: int):  # type: ignore[no-untyped-def]
    @settings(max_examples=examples, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(data=streams, good=st.integers(0, 50), mix=st.booleans())
    def run(template: Path, data: bytes, good: int, mix: bool) -> None:
        if mix:
            data = b"".join(_valid_lines(protocol, good)[:4]) + data + b"".join(_valid_lines(protocol, good)[4:])
        _check_pipeline(template, protocol, data)

    return run


def _extreme(protocol: str, examples: int):  # type: ignore[no-untyped-def]
    @settings(max_examples=examples, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(data=st.data())
    def run(template: Path, data: st.DataObject) -> None:
        _check_pipeline(template, protocol, data.draw(extreme_lines(protocol)))

    return run


@pytest.mark.parametrize("protocol", NAMES)
def test_arbitrary_bytes_through_the_whole_pipeline(template: Path, protocol: str) -> None:
    _arbitrary(protocol, 8)(template)


@pytest.mark.parametrize("protocol", NAMES)
def test_valid_lines_with_extreme_fields_through_the_whole_pipeline(template: Path, protocol: str) -> None:
    _extreme(protocol, 8)(template)


def test_the_issue_line_through_the_whole_pipeline(template: Path) -> None:
    _check_pipeline(template, "pad", b"P,1A,9223372036854775808,S,50000,73\n")


@pytest.mark.slow
@pytest.mark.parametrize("protocol", NAMES)
def test_arbitrary_bytes_through_the_whole_pipeline_long(template: Path, protocol: str) -> None:
    _arbitrary(protocol, 300)(template)


@pytest.mark.slow
@pytest.mark.parametrize("protocol", NAMES)
def test_valid_lines_with_extreme_fields_through_the_whole_pipeline_long(template: Path, protocol: str) -> None:
    _extreme(protocol, 300)(template)
