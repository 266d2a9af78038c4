"""fewer_collections: the young generation's threshold raised inside the block, put back after."""

from __future__ import annotations

import gc

import pytest

from competition.gc_pause import YOUNG_THRESHOLD, fewer_collections


def test_the_threshold_is_raised_inside_and_put_back_after() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == (YOUNG_THRESHOLD, before[1], before[2])
        with fewer_collections():  # nested: the outer block's threshold stays
            assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    assert gc.get_threshold() == before


def test_put_back_when_the_block_raises() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before


def test_a_higher_threshold_set_by_the_caller_is_left_alone() -> None:
    before = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD * 2, before[1], before[2])
    try:
        with fewer_collections():
            assert gc.get_threshold()[0] == YOUNG_THRESHOLD * 2
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD * 2
    finally:
        gc.set_threshold(*before)


def test_the_import_and_the_reader_leave_the_thresholds_as_they_were(tmp_path) -> None:
    from competition.entrants import import_registration
    from competition.event import Event
    from competition.registration import read_registration
    from competition.registration.sample_sheet import make_clerk_csv
    from courses.loader import load_course

    before = gc.get_threshold()
    make_clerk_csv(tmp_path / "c.csv", 40, "gbk", seed=2)
    event = Event.create(tmp_path / "e.db", title="gc", course=load_course(None))
    summary = import_registration(event, read_registration(tmp_path / "c.csv"))
    assert summary.counts()["imported"] > 30
    assert gc.get_threshold() == before
    event.close()
