"""成绩公示 → 申诉 → 正式成绩, and the seal that anchors the official results on paper."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from competition.appeals import file_appeal, rule_appeal
from competition.errors import CommandRefused
from competition.event import Event
from competition.journal import row_hash
from competition.judging import call_penalty
from competition.round_states import publish_round, round_state
from competition.start_queue import check_in
from competition.verify import verify_event
from main import cli
from results.seal import make_official, verify_seal
from tests.conftest import register
from tests.web_free_helpers import finish_all, prelim_ranks, ride_round

S = 1_000_000_000
LATER = datetime.now(UTC) + timedelta(hours=2)


@pytest.fixture
def ridden(event: Event) -> Event:
    """Four riders have ridden the preliminary; rider 2 was given a 摔车 (fall: DSQ) at 单边桥."""
    return ride_round(event, [40, 41, 42, 43], calls=((2, "danbian", "fall", 1),))


ranks = prelim_ranks


def test_publish_waits_for_the_round_and_opens_the_window(event: Event) -> None:
    register(event, 2)
    check_in(event, [1, 2], track=1)
    with pytest.raises(CommandRefused, match="尚未结束"):
        publish_round(event)
    finish_all(event, [40, 41])
    state = publish_round(event)
    assert state.state == "provisional"
    closes = datetime.fromisoformat(state.appeal_closes_utc or "")
    published = datetime.fromisoformat(state.published_utc or "")
    assert closes - published == timedelta(minutes=event.course.appeal_window_minutes)
    with pytest.raises(CommandRefused, match="已是"):
        publish_round(event)


def test_an_upheld_appeal_changes_a_rank_and_blocks_official_until_ruled(ridden: Event, event_path: Path) -> None:
    assert ranks(ridden)[2] == ("DSQ", 4)  # ranked after every OK rider
    publish_round(ridden)
    case = file_appeal(ridden, 2, reason="未摔车，只是单脚支撑", filed_by="2 号本人", evidence="绕杆裁判手机录像")
    with pytest.raises(CommandRefused, match="未裁决的申诉"):
        make_official(ridden, now=LATER)
    runner = CliRunner()
    early = runner.invoke(cli, ["--db", str(event_path), "--case", str(case), "penalty-withdraw", "1", "--reason", "x"])
    assert early.exit_code == 1 and "尚未裁决为成立" in early.output
    rule_appeal(ridden, case, ruling="upheld", reasoning="录像显示未摔车，撤销摔车判罚", jury="仲裁组 张、李、王")
    fall = ridden.store.query("SELECT penalty_id FROM penalties WHERE bib = 2 AND code = 'fall'")[0]["penalty_id"]
    done = runner.invoke(cli, ["--db", str(event_path), "--case", str(case), "penalty-withdraw", str(fall),
                               "--reason", "申诉裁决：未摔车"])
    assert done.exit_code == 0, done.output
    assert ranks(ridden)[2] == ("OK", 2)  # 41 s: second, ahead of 42 s and 43 s
    listing = json.loads(runner.invoke(cli, ["--db", str(event_path), "appeal", "list", "--json"]).output)
    assert listing[0]["ruling"] == "upheld" and len(listing[0]["corrections"]) == 1
    with pytest.raises(CommandRefused, match="提前确定须写明原因"):
        make_official(ridden)
    official = make_official(ridden, now=LATER)
    assert official.state == "official" and official.seal
    assert verify_event(ridden).ok


def test_official_results_refuse_changes(ridden: Event) -> None:
    publish_round(ridden)
    make_official(ridden, now=LATER)
    with pytest.raises(CommandRefused, match="正式成绩"):
        call_penalty(ridden, 1, "raogan", "pole_down")
    with pytest.raises(CommandRefused, match="公示"):
        file_appeal(ridden, 1, reason="x", filed_by="y")


def test_the_seal_verifies_and_breaks_under_a_rehashed_edit_or_a_cut(ridden: Event, event_path: Path,
                                                                       tmp_path: Path) -> None:
    publish_round(ridden)
    seal = make_official(ridden, now=LATER).seal or ""
    assert verify_seal(ridden, seal).ok
    ok = CliRunner().invoke(cli, ["--db", str(event_path), "verify", "--seal", seal])
    assert ok.exit_code == 0 and "校验通过" in ok.output
    ridden.close()

    # A forger edits an early row (rider 3's finish) and recomputes every hash after it.
    rewritten = tmp_path / "rewritten.db"
    rewritten.write_bytes(event_path.read_bytes())
    conn = sqlite3.connect(rewritten)
    conn.execute("DROP TRIGGER journal_no_update")
    rows = conn.execute("SELECT seq, utc, mono_ns, terminal, operator, kind, payload FROM journal ORDER BY seq").fetchall()
    prev = "0" * 64
    edited = False
    for seq, utc, mono, terminal, operator, kind, payload in rows:
        p = json.loads(payload)
        if kind == "run_finished" and p["bib"] == 3 and not edited:
            p["raw_ns"] -= 5 * S
            payload = json.dumps(p, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            edited = True
        digest = row_hash(prev, seq, utc, mono, terminal, operator, kind, payload)
        conn.execute("UPDATE journal SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?", (payload, prev, digest, seq))
        prev = digest
    conn.commit()
    conn.close()
    with Event.open(rewritten) as forged:
        assert not verify_seal(forged, seal).ok
        assert "改写" in "".join(verify_seal(forged, seal).problems_zh)

    # Or the journal is cut off before the official row.
    cut = tmp_path / "cut.db"
    cut.write_bytes(event_path.read_bytes())
    seal_seq = int(seal.split("-")[0])
    conn = sqlite3.connect(cut)
    conn.execute("DROP TRIGGER journal_no_delete")
    conn.execute("DELETE FROM journal WHERE seq >= ?", (seal_seq,))
    conn.commit()
    conn.close()
    with Event.open(cut) as shortened:
        report = verify_seal(shortened, seal)
        assert not report.ok and "截断" in "".join(report.problems_zh)
    bad = CliRunner().invoke(cli, ["--db", str(cut), "verify", "--seal", seal])
    assert bad.exit_code == 1


def test_round_status_json(ridden: Event, event_path: Path) -> None:
    runner = CliRunner()
    assert json.loads(runner.invoke(cli, ["--db", str(event_path), "round", "status", "--json"]).output)[0]["state"] == "running"
    assert runner.invoke(cli, ["--db", str(event_path), "round", "publish"]).exit_code == 0
    case = file_appeal(ridden, 2, reason="理由", filed_by="领队")
    status = json.loads(runner.invoke(cli, ["--db", str(event_path), "round", "status", "--json"]).output)[0]
    assert status["state"] == "provisional" and status["open_appeals"] == [case]
    assert status["appeals"][0]["reason"] == "理由" and status["seal"] is None
    rule_appeal(ridden, case, ruling="dismissed", reasoning="证据不足", jury="仲裁组")
    early = runner.invoke(cli, ["--db", str(event_path), "round", "official", "--early-reason", "全部申诉已裁决，仲裁组同意提前"])
    assert early.exit_code == 0, early.output
    final = json.loads(runner.invoke(cli, ["--db", str(event_path), "round", "status", "--json"]).output)[0]
    assert final["state"] == "official" and final["seal"] and round_state(ridden, "prelim").seal == final["seal"]


def test_the_notice_says_provisional_then_prints_the_seal(ridden: Event, event_path: Path, tmp_path: Path) -> None:
    publish_round(ridden)
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(event_path), "sheets", "--out", str(tmp_path / "a")]).exit_code == 0
    out = tmp_path / "awards"
    assert runner.invoke(cli, ["--db", str(event_path), "awards", "--out", str(out), "--allow-ties"]).exit_code == 0
    notice = next(out.glob("成绩公告*.html")).read_text(encoding="utf-8")
    assert "成绩公示：书面申诉截止" in notice and 'class="seal"' not in notice
    text = runner.invoke(cli, ["--db", str(event_path), "standings"]).output
    assert "成绩公示：书面申诉截止" in text
    seal = make_official(ridden, now=LATER).seal or ""
    out2 = tmp_path / "awards2"
    assert runner.invoke(cli, ["--db", str(event_path), "awards", "--out", str(out2), "--allow-ties"]).exit_code == 0
    notice = next(out2.glob("成绩公告*.html")).read_text(encoding="utf-8")
    assert f'data-seal="{seal}"' in notice and "<svg" in notice and "正式成绩" in notice
