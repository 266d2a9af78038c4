"""Benchmark: importing registration sheets (python bench/bench_import.py).

Phase 1 (this file): reading — ``read_registration`` on 500 and 50,000
rows, xlsx and CSV, time and peak Python memory (tracemalloc), and the two
workbook engines side by side (why calamine is the default). A later
phase (writing the reading into the journal) appends itself to ``PHASES``.

Prints a human table, then one ``BENCH|<what>|<figure with unit>|<target>``
line per figure.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from competition.registration import SheetReading, read_registration
from competition.registration.sample_sheet import (
    make_clerk_csv,
    make_clerk_workbook,
)

SMALL = 500
LARGE = 50_000


@dataclass(frozen=True)
class Figure:
    """One measured figure: what, value with unit, and the target it is held to."""

    what: str
    figure: str
    target: str


def prepare_sheets(folder: Path) -> dict[str, Path]:
    """Write the clerk sheets the phases read: 500 and 50,000 rows, xlsx and GBK CSV."""
    sheets: dict[str, Path] = {}
    for n in (SMALL, LARGE):
        xlsx = folder / f"clerk_{n}.xlsx"
        make_clerk_workbook(xlsx, n, seed=1)
        sheets[f"xlsx_{n}"] = xlsx
        csv_path = folder / f"clerk_{n}.csv"
        make_clerk_csv(csv_path, n, "gbk", seed=1)
        sheets[f"csv_{n}"] = csv_path
    return sheets


def _best_seconds(action: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def _timed_read(path: Path, repeat: int) -> tuple[float, SheetReading]:
    best = float("inf")
    reading: SheetReading | None = None
    for _ in range(repeat):
        start = time.perf_counter()
        reading = read_registration(path)
        best = min(best, time.perf_counter() - start)
    assert reading is not None
    return best, reading


def _peak_mib(action: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / (1024 * 1024)


def read_phase(sheets: dict[str, Path]) -> list[Figure]:
    """Time and memory of read_registration on each prepared sheet."""
    figures: list[Figure] = []
    for kind in ("xlsx", "csv"):
        for n, repeat, time_target, mem_target in ((SMALL, 5, "< 0.5 s", "< 10 MiB"),
                                                   (LARGE, 2, "< 10 s", "< 150 MiB")):
            path = sheets[f"{kind}_{n}"]
            seconds, reading = _timed_read(path, repeat)
            assert reading.total_rows == n, (path, reading.total_rows)
            peak = _peak_mib(partial(read_registration, path))
            figures.append(Figure(f"read_{kind}_{n}_rows", f"{seconds:.3f} s", time_target))
            figures.append(Figure(f"read_{kind}_{n}_rows_rate", f"{n / seconds:.0f} rows/s",
                                  "> 5000 rows/s"))
            figures.append(Figure(f"read_{kind}_{n}_rows_peak_memory", f"{peak:.1f} MiB", mem_target))
    for engine in ("calamine", "openpyxl"):
        path = sheets[f"xlsx_{LARGE}"]
        seconds = _best_seconds(partial(read_registration, path, engine=engine), 1)
        figures.append(Figure(f"read_xlsx_{LARGE}_rows_engine_{engine}", f"{seconds:.3f} s",
                              "< 10 s"))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # tracemalloc sees Python objects only; the process peak includes
    # calamine's own (Rust) copy of the sheet and the generated workbooks.
    figures.append(Figure("read_process_max_rss", f"{rss:.0f} MiB", "< 1024 MiB"))
    return figures


def write_phase(sheets: dict[str, Path]) -> list[Figure]:
    """The whole `entrants import`: read + one transaction into the journal, and a re-import."""
    from competition.entrants import import_registration
    from competition.event import Event
    from courses.loader import load_course

    figures: list[Figure] = []
    for key, target in ((f"xlsx_{SMALL}", "< 1 s"), (f"csv_{SMALL}", "< 1 s"), (f"xlsx_{LARGE}", "works"),
                        (f"csv_{LARGE}", "works")):
        with tempfile.TemporaryDirectory() as tmp:
            event = Event.create(Path(tmp) / "e.db", title="bench", course=load_course(None))
            t0 = time.perf_counter()
            summary = import_registration(event, read_registration(sheets[key]))
            first = time.perf_counter() - t0
            t0 = time.perf_counter()
            again = import_registration(event, read_registration(sheets[key]))
            second = time.perf_counter() - t0
            assert again.counts()["imported"] == 0 and again.counts()["updated"] == 0
            event.close()
        figures.append(Figure(f"import_{key}_rows_into_event", f"{first:.3f} s", target))
        figures.append(Figure(f"reimport_{key}_rows_unchanged", f"{second:.3f} s", target))
        figures.append(Figure(f"import_{key}_riders", f"{summary.counts()['imported']}", "-"))
    return figures


PHASES: list[tuple[str, Callable[[dict[str, Path]], list[Figure]]]] = [
    ("read registration sheets", read_phase),
    ("import into the event file", write_phase),
]


def main() -> None:
    """Run every phase on freshly generated sheets and print the table and BENCH lines."""
    with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
        start = time.perf_counter()
        sheets = prepare_sheets(Path(tmp))
        print(f"sheets written in {time.perf_counter() - start:.1f} s")
        figures: list[Figure] = []
        for title, phase in PHASES:
            print(f"-- {title}")
            got = phase(sheets)
            for fig in got:
                print(f"   {fig.what:<44} {fig.figure:>16}   target {fig.target}")
            figures.extend(got)
    for fig in figures:
        print(f"BENCH|{fig.what}|{fig.figure}|{fig.target}")


if __name__ == "__main__":
    main()
