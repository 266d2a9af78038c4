"""The full-size fault drill: at least 20 listener kills and 20 unplugs during a preliminary.

Prints what the head referee would check: impulses sent / recorded, missing,
doubled, verify, and whether the standings equal the undisturbed run's.
With --app the disturbed run is read by the trackside app (`trackside run --port` on a pty)
and each kill is a SIGKILL of the app's recorder process, which the app restarts by itself.
Usage: python bench/bench_fault_drill.py [--riders N] [--kills N] [--unplugs N] [--seed N] [--speed X] [--app]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from results.drill import DrillPlan, run_drill

    parser = argparse.ArgumentParser()
    parser.add_argument("--riders", type=int, default=100)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--unplugs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--speed", type=float, default=12.0)
    parser.add_argument("--app", action="store_true", help="kill the app's recorder process, not a bare listener")
    args = parser.parse_args()
    plan = DrillPlan(riders=args.riders, kills=args.kills, unplugs=args.unplugs, seed=args.seed, speed=args.speed,
                     through_app=args.app)
    with tempfile.TemporaryDirectory() as tmp:
        calm = run_drill(Path(tmp), plan, disturbed=False)
        rough = run_drill(Path(tmp), plan, disturbed=True, echo=print)
    same = rough.standings == calm.standings
    killed = "app's recorder" if args.app else "listener"
    rows = [
        (f"fault drill kills ({killed}) / unplugs", f"{rough.kills} / {rough.unplugs}", ">= 20 / 20"),
        ("fault drill impulses sent / recorded", f"{rough.sent} / {rough.recorded}", "equal"),
        ("fault drill impulses missing", str(len(rough.missing)), "0"),
        ("fault drill impulses doubled", str(len(rough.doubled)), "0"),
        ("fault drill verify", "OK" if rough.verify_ok else "FAILED", "OK"),
        ("fault drill standings == undisturbed run", "yes" if same else "NO", "yes"),
        ("fault drill runs finished (disturbed / calm)", f"{rough.finished} / {calm.finished}", "equal"),
        ("fault drill wall time (disturbed run)", f"{rough.seconds:.0f} s", "-"),
    ]
    if args.app:
        rows.append(("fault drill app exit / recorder left running",
                     f"{rough.app_exit} / {'yes' if rough.recorder_left else 'no'}", "0 / no"))
    for what, fig, target in rows:
        print(f"{what:45} {fig:>14}  {target}")
    for what, fig, target in rows:
        print(f"BENCH|{what}|{fig}|{target}")
    ok = rough.verify_ok and not rough.missing and not rough.doubled and same
    ok = ok and (not args.app or (rough.app_exit == 0 and not rough.recorder_left))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
