"""The fault drill, reduced: kills, unplugs, garbage, damaged lines and a second terminal.

Twice: with the headless listener killed and restarted by hand, and through the trackside
app (``trackside run --port`` in a pseudo-terminal) whose recorder process is killed while
the app runs, and which must start it again by itself (issue #13).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from results.drill import DrillPlan, run_drill

# Device times come from the simulator's virtual clock, so the pacing changes no result; at 40x
# a kill or an unplug still lands mid-stream with riders starting while nobody listens (the
# timer's memory fills the gap), in half the wall time of 20x. The full size stays at 12x.
SPEED = 40.0


def _check(plan: DrillPlan, tmp_path: Path) -> None:
    calm = run_drill(tmp_path, plan, disturbed=False)
    assert calm.verify_ok and not calm.missing and not calm.doubled
    rough = run_drill(tmp_path, plan, disturbed=True)
    assert (rough.kills, rough.unplugs) == (plan.kills, plan.unplugs)
    assert rough.verify_ok
    assert rough.missing == [] and rough.doubled == []  # every impulse the timer sent, exactly once
    assert rough.finished == calm.finished
    assert rough.standings == calm.standings
    if plan.through_app:
        assert rough.app_exit == 0  # Ctrl-Q, as a referee quits
        assert not rough.recorder_left  # the recorder the app started stopped with it


def test_fault_drill_reduced(tmp_path: Path) -> None:
    _check(DrillPlan(riders=14, kills=2, unplugs=2, seed=3, speed=SPEED), tmp_path)


def test_fault_drill_reduced_killing_the_apps_recorder(tmp_path: Path) -> None:
    _check(DrillPlan(riders=10, kills=3, unplugs=1, seed=5, speed=SPEED, through_app=True), tmp_path)


FULL = DrillPlan(riders=100, kills=20, unplugs=20, seed=11, speed=12.0)


@pytest.mark.slow
def test_fault_drill_full_size(tmp_path: Path) -> None:
    _check(FULL, tmp_path)


@pytest.mark.slow
def test_fault_drill_full_size_killing_the_apps_recorder(tmp_path: Path) -> None:
    _check(replace(FULL, through_app=True), tmp_path)
