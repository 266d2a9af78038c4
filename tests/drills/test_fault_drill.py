"""The fault drill, reduced: kills, unplugs, garbage, damaged lines and a second terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from results.drill import DrillPlan, run_drill


def _check(plan: DrillPlan, tmp_path: Path) -> None:
    calm = run_drill(tmp_path, plan, disturbed=False)
    assert calm.verify_ok and not calm.missing and not calm.doubled
    rough = run_drill(tmp_path, plan, disturbed=True)
    assert (rough.kills, rough.unplugs) == (plan.kills, plan.unplugs)
    assert rough.verify_ok
    assert rough.missing == [] and rough.doubled == []  # every impulse the timer sent, exactly once
    assert rough.finished == calm.finished
    assert rough.standings == calm.standings


def test_fault_drill_reduced(tmp_path: Path) -> None:
    _check(DrillPlan(riders=14, kills=2, unplugs=2, seed=3, speed=20.0), tmp_path)


@pytest.mark.slow
def test_fault_drill_full_size(tmp_path: Path) -> None:
    _check(DrillPlan(riders=100, kills=20, unplugs=20, seed=11, speed=12.0), tmp_path)
