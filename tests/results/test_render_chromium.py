"""Print the documents with headless Chromium and count the PDF pages.

A certificate that overflows its page, a lost page break between judge sheets
or a table that does not paginate shows up only in a real layout engine. Needs
Debian's ``chromium`` (and fonts-noto-cjk for CJK glyphs); skipped without it.
PNG screenshots for a human look are written to /tmp/trackside-render/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from results.document_samples import DEFAULT_SEGMENTS, SampleDay, sample_day
from results.documents import AwardEntry
from results.printing import (
    render_award_list,
    render_certificates,
    render_referee_sheets,
    render_results_notice,
    write_documents,
)


def _find_chromium() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


CHROMIUM = _find_chromium()
CHROMEDRIVER = "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else shutil.which("chromedriver")
SCREENSHOT_DIR = Path("/tmp/trackside-render")

pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no chromium binary at /usr/bin/chromium or on PATH (apt-get install chromium fonts-noto-cjk)",
    ),
]


def _chromium(profile: Path, *args: str) -> None:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--hide-scrollbars",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]


def pdf_pages(html_file: Path, tmp_path: Path) -> int:
    """Print ``html_file`` to PDF and return the number of pages."""
    pdf = tmp_path / (html_file.stem + ".pdf")
    _chromium(
        tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html_file.as_uri()
    )
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))
    if pages == 0:  # page objects hidden in compressed object streams: use the tree's count
        counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
        pages = max(counts, default=0)
    return pages


def screenshot(html_file: Path, png: Path, size: str, tmp_path: Path) -> Path:
    png.parent.mkdir(parents=True, exist_ok=True)
    _chromium(
        tmp_path / "profile", f"--screenshot={png}", f"--window-size={size}", html_file.as_uri()
    )
    assert png.read_bytes().startswith(b"\x89PNG")
    print(f"screenshot: {png}")
    return png


@pytest.fixture(scope="module")
def day() -> SampleDay:
    return sample_day(500)


def test_certificates_one_pdf_page_per_winner(day: SampleDay, tmp_path: Path) -> None:
    # Stress the layout: a very long title, organizer and name must still fit one page.
    long_event = replace(
        day.event,
        title="二〇二六年北京市朝阳区总工会暨各配送平台联合举办第三届快递员外卖骑手驾驶技能竞赛（决赛）",
        organizer="北京市朝阳区总工会　北京市朝阳区交通支队　朝阳区快递行业协会",
    )
    awards = [
        *day.awards,
        replace(
            day.awards[0],
            name="阿卜杜热合曼·艾买提·买买提依明",
            station="通州区北苑街道第二配送站（夜班）",
        ),
    ]
    out = write_documents(tmp_path / "out", {"奖状.html": render_certificates(long_event, awards)})
    assert pdf_pages(out[0], tmp_path) == len(awards)
    short = write_documents(
        tmp_path / "one", {"奖状.html": render_certificates(day.event, day.awards[:1])}
    )
    assert pdf_pages(short[0], tmp_path) == 1
    screenshot(short[0], SCREENSHOT_DIR / "certificate.png", "1123,794", tmp_path)


def test_results_notice_500_rows_paginates(day: SampleDay, tmp_path: Path) -> None:
    html = render_results_notice(day.event, "初赛", "Preliminary", day.prelim, day.cut)
    out = write_documents(tmp_path / "out", {"成绩公告-初赛.html": html})
    pages = pdf_pages(out[0], tmp_path)
    # About 25-40 rows a page on A4 portrait: a sensible range, not one page per row
    # and not everything squeezed or clipped onto a few.
    assert 12 <= pages <= 25, pages
    final_html = render_results_notice(day.event, "决赛", "Final", day.final)
    final = write_documents(tmp_path / "final", {"成绩公告-决赛.html": final_html})
    assert 2 <= pdf_pages(final[0], tmp_path) <= 6
    screenshot(out[0], SCREENSHOT_DIR / "results-notice.png", "794,1123", tmp_path)
    screenshot(final[0], SCREENSHOT_DIR / "results-notice-final.png", "794,1123", tmp_path)


def test_referee_sheets_start_each_segment_on_a_new_page(day: SampleDay, tmp_path: Path) -> None:
    # 12 riders fit one page per segment, so pages == segments exactly.
    html = render_referee_sheets(
        day.event, DEFAULT_SEGMENTS, day.start_list[:12], "初赛", "Preliminary"
    )
    out = write_documents(tmp_path / "out", {"裁判记录表.html": html})
    assert pdf_pages(out[0], tmp_path) == len(DEFAULT_SEGMENTS)


def test_award_list_fits_one_page(day: SampleDay, tmp_path: Path) -> None:
    awards: list[AwardEntry] = list(day.awards)
    html = render_award_list(day.event, awards, ["第3名并列：需加赛"])
    out = write_documents(tmp_path / "out", {"获奖名单.html": html})
    assert pdf_pages(out[0], tmp_path) == 1
    screenshot(out[0], SCREENSHOT_DIR / "award-list.png", "794,1123", tmp_path)


_MEASURE = """<script>
// Mark the body when any table is wider than the page's content box: that part
// would be cut off on paper.
window.addEventListener("load", () => {
  const wide = [...document.querySelectorAll("table")].filter((t) => {
    const box = getComputedStyle(t.parentElement);
    const content = t.parentElement.clientWidth - parseFloat(box.paddingLeft) - parseFloat(box.paddingRight);
    return t.getBoundingClientRect().width > content + 1;
  });
  document.body.setAttribute("data-overflow", String(wide.length));
});
</script>"""


@pytest.fixture(scope="module")
def layout_browser() -> Iterator[object]:
    """One headless Chromium (1200x900 window) for every page whose layout is measured."""
    if not CHROMEDRIVER:
        pytest.skip("needs Debian's chromium-driver to measure layouts (apt-get install chromium-driver)")
    from tests.web.browser import chromium

    with chromium(phone=False, width=1200, height=900) as driver:
        yield driver


def overflowing_tables(browser: Any, html: str, tmp_path: Path, name: str) -> int:
    """How many tables are wider than the A4 content width (186 mm) in Chromium's layout."""
    page = tmp_path / f"{name}.html"
    page.write_text(html.replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
    browser.get(page.as_uri())
    deadline = time.monotonic() + 60
    while (found := browser.execute_script("return document.body.getAttribute('data-overflow')")) is None:
        assert time.monotonic() < deadline, f"{name}: the page never finished loading"
        time.sleep(0.02)
    return int(found)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tables_fit_the_page_width(day: SampleDay, layout_browser: object, tmp_path: Path, lang: str) -> None:
    from results.printing import render_start_list

    event = replace(day.event, lang="en" if lang == "en" else "zh")
    long_pen = replace(day.final[0], name="阿卜杜热合曼·艾买提", penalties=day.final[0].penalties + tuple(
        p for r in day.final for p in r.penalties)[:6])
    pages = {
        "prelim": render_results_notice(event, "初赛", "Preliminary", day.prelim[:80], day.cut),
        "final": render_results_notice(event, "决赛", "Final", (long_pen, *day.final[1:])),
        "start": render_start_list(event, "初赛", "Preliminary", day.start_list[:40]),
        "sheets": render_referee_sheets(event, DEFAULT_SEGMENTS, day.start_list[:10]),
        "awards": render_award_list(event, list(day.awards), []),
    }
    for name, html in pages.items():
        assert overflowing_tables(layout_browser, html, tmp_path, f"{name}-{lang}") == 0, name
