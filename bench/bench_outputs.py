"""How long every printed output and export of a 500-rider day takes to make.

Run: ``python bench/bench_outputs.py``. Renders the award list, certificates,
the preliminary (500 rows) and final (70 rows) results notices, the 500-rider
start list, the judges' sheets (6 segments x 500 rows), writes them as one
folder, and exports CSV, XLSX and JSON. Target: all of it under 1 s.
Prints a table and one ``BENCH|what|figure|target`` line per figure.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from results.document_samples import sample_day
from results.exports import export_csv, export_json, export_xlsx
from results.printing import (
    AWARD_LIST_FILE,
    CERTIFICATES_FILE,
    REFEREE_SHEETS_FILE,
    render_award_list,
    render_certificates,
    render_referee_sheets,
    render_results_notice,
    render_start_list,
    results_notice_file,
    start_list_file,
    write_documents,
)

RIDERS = 500
TARGET_TOTAL_MS = 1000


def timed(step: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter_ns()
    result = step()
    return (time.perf_counter_ns() - start) / 1_000_000, result


def main() -> None:
    day = sample_day(RIDERS)
    figures: list[tuple[str, float]] = []
    docs: dict[str, str] = {}

    # First render pays for template compilation; measure it apart, as the CLI would.
    warm_ms, _ = timed(lambda: render_award_list(day.event, day.awards[:1], []))
    figures.append(("template load + compile", warm_ms))

    steps: list[tuple[str, str, Callable[[], str]]] = [
        ("award list", AWARD_LIST_FILE, lambda: render_award_list(day.event, day.awards, day.ties)),
        ("certificates", CERTIFICATES_FILE, lambda: render_certificates(day.event, day.awards)),
        (f"results notice prelim {len(day.prelim)} rows", results_notice_file("初赛"),
         lambda: render_results_notice(day.event, "初赛", "Preliminary", day.prelim, day.cut)),
        (f"results notice final {len(day.final)} rows", results_notice_file("决赛"),
         lambda: render_results_notice(day.event, "决赛", "Final", day.final)),
        (f"start list {len(day.start_list)} rows", start_list_file("初赛"),
         lambda: render_start_list(day.event, "初赛", "Preliminary", day.start_list)),
        (f"judge sheets {len(day.segments)}x{len(day.start_list)} rows", REFEREE_SHEETS_FILE,
         lambda: render_referee_sheets(day.event, day.segments, day.start_list, "初赛", "Preliminary")),
    ]
    for label, name, render in steps:
        ms, html = timed(render)
        docs[name] = str(html)
        figures.append((label, ms))

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        ms, _ = timed(lambda: write_documents(out / "颁奖", docs, event=day.event))
        figures.append(("write folder (atomic)", ms))
        ms, _ = timed(lambda: export_csv(day.prelim, out / "初赛.csv", full_phone=False))
        figures.append((f"CSV {len(day.prelim)} rows", ms))
        ms, _ = timed(lambda: export_xlsx({"初赛": day.prelim, "决赛": day.final}, out / "成绩.xlsx",
                                          full_phone=False))
        figures.append((f"XLSX {len(day.prelim) + len(day.final)} rows, 2 sheets", ms))
        ms, _ = timed(lambda: export_json(day.prelim, out / "初赛.json"))
        figures.append((f"JSON {len(day.prelim)} rows", ms))

    total = sum(ms for _, ms in figures)
    width = max(len(label) for label, _ in figures) + 2
    print(f"Outputs for {RIDERS} riders")
    print(f"{'step'.ljust(width)}{'ms':>10}")
    for label, ms in figures:
        print(f"{label.ljust(width)}{ms:>10.1f}")
    print(f"{'TOTAL'.ljust(width)}{total:>10.1f}   (target < {TARGET_TOTAL_MS} ms)")
    for label, ms in figures:
        print(f"BENCH|outputs: {label}|{ms:.1f} ms|-")
    print(f"BENCH|outputs: all for {RIDERS} riders|{total:.1f} ms|< {TARGET_TOTAL_MS} ms")


if __name__ == "__main__":
    main()
