"""PDFs for one print job and PNGs for WeChat, rendered by headless Chromium and checked."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from competition.event import Event
from competition.round_states import publish_round
from competition.start_queue import check_in
from main import cli
from results.seal import make_official
from results.share import png_size
from tests.conftest import register
from tests.web_free_helpers import finish_all

pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(not (Path("/usr/bin/chromium").exists() or shutil.which("chromium")),
                       reason="needs Debian's chromium (apt-get install chromium fonts-noto-cjk)"),
]


def pdf_pages(pdf: Path) -> int:
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))
    if pages == 0:
        pages = max((int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)), default=0)
    return pages


@pytest.fixture
def finished(event: Event) -> Event:
    register(event, 12)
    check_in(event, list(range(1, 13)), track=1)
    finish_all(event, [40 + i for i in range(12)])
    return event


def test_awards_pdf_one_file_per_document_one_page_per_certificate(finished: Event, event_path: Path,
                                                                    tmp_path: Path) -> None:
    out = tmp_path / "颁奖"
    done = CliRunner().invoke(cli, ["--db", str(event_path), "awards", "--out", str(out), "--pdf"])
    assert done.exit_code == 0, done.output
    certificates = len(re.findall(r'<section class="certificate[ "]', (out / "奖状.html").read_text(encoding="utf-8")))
    assert certificates == 6  # 一等奖 1, 二等奖 2, 三等奖 3 (no style scores given)
    assert pdf_pages(out / "奖状.pdf") == certificates
    assert pdf_pages(out / "获奖名单.pdf") >= 1
    notices = sorted(out.glob("成绩公告*.pdf"))
    assert notices and all(pdf_pages(p) >= 1 for p in notices)


def test_tall_notice_png_and_rider_cards(finished: Event, event_path: Path, tmp_path: Path) -> None:
    publish_round(finished)
    seal = make_official(finished, early_reason="测试").seal
    out = tmp_path / "share"
    done = CliRunner().invoke(cli, ["--db", str(event_path), "share", "--out", str(out), "--cards", "1,2",
                                    "--url", "http://10.0.0.5:8080"])
    assert done.exit_code == 0, done.output
    png = next(out.glob("成绩公告-*.png"))
    width, height = png_size(png)
    assert width == 1080 and height == 300 + 64 * 12 + 220  # header + one row per rider + footer: nothing clipped
    for bib in (1, 2):
        assert png_size(out / "选手成绩卡" / f"{bib}.png") == (1080, 1350)
    assert seal is not None
