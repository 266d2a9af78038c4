"""Benchmark: importing registration sheets (python bench/bench_import.py).

Phase 0: the whole ``trackside entrants import`` process against
``sqlite-utils insert --csv`` on the same file, in the same run: time and
each process's peak memory (rusage), 500 and 50,000 rows, CSV and xlsx.
Phase 1: reading — ``read_registration`` on 500 and 50,000 rows, xlsx and
CSV, time and peak Python memory (tracemalloc), and the two workbook
engines side by side (why calamine is the default). Phase 2: writing the
reading into the journal. Phase 3: what the bounds of issue #16 cost, the
same sheets read with and without them in the same run. Phase 4: the
issue's hostile sheets (a cell at XFD1048576, a million-row workbook, a
3-million-row CSV, a 1 GiB zip bomb), each read in its own process: the
outcome, the time to refusal and the process's peak memory.

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


def _tool(name: str) -> list[str]:
    """The command line of an installed console script (beside this Python, else on PATH)."""
    import shutil

    beside = Path(sys.executable).parent / name
    if beside.exists():
        return [str(beside)]
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not installed")
    return [found]


def _child_env() -> dict[str, str]:
    """The environment of the measured processes: Python may keep bytecode, as on an installed system.

    With PYTHONDONTWRITEBYTECODE set (some shells and CI do), every run would
    compile Trackside's modules from source while sqlite-utils' installed
    bytecode is reused: not the same footing.
    """
    import os

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# Started by a small launcher, not by this process: a child's ru_maxrss counts what it
# held before exec, and a child forked from this bench (which holds the generated
# 50,000-row workbooks) would show the bench's memory instead of its own.
_LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.execvpe(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
print(os.waitstatus_to_exitcode(status), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


def _run_measured(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak resident MiB) of one whole child process, from its own rusage."""
    import subprocess

    done = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, *command], cwd=cwd, env=_child_env(),
                          capture_output=True, text=True, check=False)
    try:
        code, wall, cpu, peak_kib = done.stdout.split()
    except ValueError:
        raise SystemExit(f"could not measure {' '.join(command)}: {done.stderr[-500:]}") from None
    if int(code) != 0:
        raise SystemExit(f"{' '.join(command)} failed ({code}): {done.stderr[-500:]}")
    return float(wall), float(cpu), int(peak_kib) / 1024  # ru_maxrss is KiB on Linux


def whole_process_phase(sheets: dict[str, Path]) -> list[Figure]:
    """`trackside entrants import` against `sqlite-utils insert --csv`: whole processes, same run.

    Each run gets a fresh event file (made by `trackside init`, not timed) or a
    fresh sqlite-utils database; the runs alternate so both see the same load;
    best of N (and the median) is reported, with each process's peak memory.
    A workbook is compared with sqlite-utils reading the CSV of the same rows
    (same generator and seed): sqlite-utils cannot read .xlsx.
    """
    import statistics

    trackside, sqlite_utils = _tool("trackside"), _tool("sqlite-utils")
    figures: list[Figure] = []
    rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory(prefix="bench_whole_") as tmp:  # warm-up: bytecode, page cache
        _run_measured([*trackside, "--db", str(Path(tmp) / "w.trackside"), "init", "--title", "w"], Path(tmp))
        _run_measured([*trackside, "--db", str(Path(tmp) / "w.trackside"), "entrants", "import",
                       str(sheets[f"csv_{SMALL}"])], Path(tmp))
        _run_measured([*sqlite_utils, "insert", str(Path(tmp) / "w.db"), "riders", str(sheets[f"csv_{SMALL}"]),
                       "--csv", "--encoding", "gbk"], Path(tmp))
    for key, csv_key, repeat in ((f"csv_{SMALL}", f"csv_{SMALL}", 7), (f"xlsx_{SMALL}", f"csv_{SMALL}", 7),
                                 (f"csv_{LARGE}", f"csv_{LARGE}", 3), (f"xlsx_{LARGE}", f"csv_{LARGE}", 3)):
        n = SMALL if key.endswith(f"_{SMALL}") else LARGE
        ours: list[tuple[float, float, float]] = []
        again: list[tuple[float, float, float]] = []
        theirs: list[tuple[float, float, float]] = []
        with tempfile.TemporaryDirectory(prefix="bench_whole_") as tmp:
            folder = Path(tmp)
            for attempt in range(repeat):
                event = folder / f"e{attempt}.trackside"
                _run_measured([*trackside, "--db", str(event), "init", "--title", "bench"], folder)
                ours.append(_run_measured([*trackside, "--db", str(event), "entrants", "import",
                                           str(sheets[key])], folder))
                again.append(_run_measured([*trackside, "--db", str(event), "entrants", "import",
                                            str(sheets[key])], folder))
                theirs.append(_run_measured([*sqlite_utils, "insert", str(folder / f"s{attempt}.db"), "riders",
                                             str(sheets[csv_key]), "--csv", "--encoding", "gbk"], folder))
                event.unlink()
        best, best_again, base = min(ours), min(again), min(theirs)
        cpu, cpu_base = min(c for _, c, _ in ours), min(c for _, c, _ in theirs)
        ratio = best[0] / base[0]
        target = "<= 2x sqlite-utils" + (", < 5 s" if n == LARGE else "")
        peak, peak_again, peak_base = (max(m for *_, m in runs) for runs in (ours, again, theirs))
        figures += [
            Figure(f"whole_import_{key}_trackside", f"{best[0]:.3f} s", target),
            Figure(f"whole_import_{key}_trackside_median", f"{statistics.median(t for t, *_ in ours):.3f} s", "-"),
            Figure(f"whole_import_{key}_trackside_cpu", f"{cpu:.3f} s", "-"),
            Figure(f"whole_import_{key}_trackside_peak_rss", f"{peak:.0f} MiB", "named"),
            Figure(f"whole_reimport_{key}_trackside", f"{best_again[0]:.3f} s", "-"),
            Figure(f"whole_reimport_{key}_trackside_peak_rss", f"{peak_again:.0f} MiB", "named"),
            Figure(f"whole_import_{key}_sqlite_utils_on_{csv_key}", f"{base[0]:.3f} s", "baseline"),
            Figure(f"whole_import_{key}_sqlite_utils_median",
                   f"{statistics.median(t for t, *_ in theirs):.3f} s", "baseline"),
            Figure(f"whole_import_{key}_sqlite_utils_cpu", f"{cpu_base:.3f} s", "baseline"),
            Figure(f"whole_import_{key}_sqlite_utils_peak_rss", f"{peak_base:.0f} MiB", "baseline"),
            Figure(f"whole_import_{key}_ratio", f"{ratio:.2f} x", "<= 2 x"),
            Figure(f"whole_import_{key}_cpu_ratio", f"{cpu / cpu_base:.2f} x", "-"),
        ]
        rows.append((key, f"{best[0]:.3f} s", f"{cpu:.3f} s", f"{peak:.0f} MiB", f"{best_again[0]:.3f} s",
                     f"{base[0]:.3f} s", f"{cpu_base:.3f} s", f"{peak_base:.0f} MiB", csv_key,
                     f"{ratio:.2f}x", f"{cpu / cpu_base:.2f}x"))
    import os

    print(f"   load average at the end: {os.getloadavg()[0]:.1f}; best of 7 (500 rows) / 3 (50,000 rows)")
    head = ("sheet", "trackside", "cpu", "peak", "re-import", "sqlite-utils", "cpu", "peak", "(its file)",
            "wall", "cpu")
    widths = (12, 10, 8, 8, 10, 12, 8, 8, 12, 6, 6)
    print("   " + " ".join(f"{h:>{w}}" for h, w in zip(head, widths, strict=True)))
    for row in rows:
        print("   " + " ".join(f"{c:>{w}}" for c, w in zip(row, widths, strict=True)))
    return figures


def _read_without_bounds(path: Path) -> SheetReading:
    """read_registration as it was before issue #16: no bounds check before the engine."""
    from unittest import mock

    from competition.registration import reader, sources

    def unchecked(*_args: object, **_kwargs: object) -> None:
        return None

    with mock.patch.object(reader, "check_workbook", unchecked), \
            mock.patch.object(sources, "check_csv_lines", unchecked), \
            mock.patch.object(sources, "check_csv_size", unchecked):
        return read_registration(path)


def bounds_phase(sheets: dict[str, Path]) -> list[Figure]:
    """What the bounds cost on a real sheet: the same read with and without them, same run."""
    from competition.registration.bounds import check_workbook

    figures: list[Figure] = []
    for kind, n, repeat in (("xlsx", SMALL, 7), ("csv", SMALL, 7), ("xlsx", LARGE, 2), ("csv", LARGE, 2)):
        path = sheets[f"{kind}_{n}"]
        without = _best_seconds(partial(_read_without_bounds, path), repeat)
        with_bounds = _best_seconds(partial(read_registration, path), repeat)
        figures.append(Figure(f"read_{kind}_{n}_rows_without_bounds", f"{without * 1000:.1f} ms", "-"))
        figures.append(Figure(f"read_{kind}_{n}_rows_with_bounds", f"{with_bounds * 1000:.1f} ms",
                              "< 0.5 s" if n == SMALL else "< 10 s"))
        if kind == "xlsx":
            alone = _best_seconds(partial(check_workbook, path), repeat)
            figures.append(Figure(f"bounds_check_alone_xlsx_{n}_rows", f"{alone * 1000:.1f} ms",
                                  "< 20 % of the read"))
    return figures


_HOSTILE_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from competition.registration import RegistrationError, read_registration
start = time.perf_counter()
try:
    read_registration({path!r})
    outcome = "read"
except RegistrationError as error:
    outcome = "refused: " + error.message_en.split(": ", 1)[1][:70]
# VmHWM is this process's own peak (ru_maxrss would include the parent's at fork)
status = open("/proc/self/status").read().split("VmHWM:")
peak = int(status[1].split()[0]) if len(status) > 1 else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"outcome": outcome, "seconds": time.perf_counter() - start, "peak_kib": peak}}))
"""


def _hostile_sheets(folder: Path) -> dict[str, Path]:
    """The issue's hostile sheets: the far cell, a 1M-row workbook, a 3M-row CSV, a zip bomb."""
    import zipfile

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "registration"))
    from hostile import far_cell_workbook, header_rows, hostile_workbook, inline_cell, sheet_xml

    far = folder / "far_cell.xlsx"
    hostile_workbook(far, sheet_xml([f'<row r="1">{inline_cell("A1", "姓名")}{inline_cell("B1", "手机号")}</row>',
                                     f'<row r="1048576">{inline_cell("XFD1048576", "x")}</row>']))
    only_far = far_cell_workbook(folder / "only_far_cell.xlsx")
    million = hostile_workbook(folder / "million_rows.xlsx", sheet_xml(header_rows(1_000_000)))
    csv_path = folder / "three_million_rows.csv"
    csv_path.write_bytes("姓名,手机号\n".encode() + b"a,123\n" * 3_000_000)
    bomb = folder / "bomb.xlsx"
    hostile_workbook(bomb, sheet_xml(header_rows(3)))
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            block = b" " * (1024 * 1024)
            for _ in range(1024):  # 1 GiB of spaces, about 1 MB on disk
                member.write(block)
    return {"far_cell_beside_A1": far, "only_far_cell": only_far, "million_row_xlsx": million,
            "three_million_row_csv": csv_path, "zip_bomb_1GiB": bomb}


def hostile_phase(_sheets: dict[str, Path]) -> list[Figure]:
    """Peak memory and time of reading each hostile sheet (each in its own process)."""
    import json
    import subprocess

    root = str(Path(__file__).resolve().parent.parent)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench_hostile_") as tmp:
        for name, path in _hostile_sheets(Path(tmp)).items():
            done = subprocess.run([sys.executable, "-c", _HOSTILE_CHILD.format(root=root, path=str(path))],
                                  capture_output=True, text=True, check=False, timeout=600)
            if done.returncode != 0:
                figures.append(Figure(f"hostile_{name}", f"died {done.returncode}", "refused"))
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            size = path.stat().st_size / (1024 * 1024)
            figures.append(Figure(f"hostile_{name}_file_size", f"{size:.2f} MiB", "-"))
            figures.append(Figure(f"hostile_{name}_outcome", result["outcome"].split(":")[0], "refused"))
            figures.append(Figure(f"hostile_{name}_seconds", f"{result['seconds']:.2f} s", "< 5 s"))
            figures.append(Figure(f"hostile_{name}_peak_rss", f"{result['peak_kib'] / 1024:.0f} MiB",
                                  "< 200 MiB"))
    return figures


PHASES: list[tuple[str, Callable[[dict[str, Path]], list[Figure]]]] = [
    ("whole process: trackside entrants import vs sqlite-utils insert --csv", whole_process_phase),
    ("read registration sheets", read_phase),
    ("import into the event file", write_phase),
    ("bounds before reading: cost on real sheets", bounds_phase),
    ("hostile sheets (issue #16): refused, memory bounded", hostile_phase),
]


def main() -> None:
    """Run every phase (or those named on the command line, e.g. ``whole``) and print the table and BENCH lines."""
    wanted = sys.argv[1:]
    with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
        start = time.perf_counter()
        sheets = prepare_sheets(Path(tmp))
        print(f"sheets written in {time.perf_counter() - start:.1f} s")
        figures: list[Figure] = []
        for title, phase in PHASES:
            if wanted and not any(w in phase.__name__ for w in wanted):
                continue
            print(f"-- {title}")
            got = phase(sheets)
            for fig in got:
                print(f"   {fig.what:<44} {fig.figure:>16}   target {fig.target}")
            figures.extend(got)
    for fig in figures:
        print(f"BENCH|{fig.what}|{fig.figure}|{fig.target}")


if __name__ == "__main__":
    main()
