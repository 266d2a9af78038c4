"""Printable HTML: structure, grouping, masking, escaping, cut line, English labels.

Documents are parsed with the stdlib html.parser into a small tree, so tests
check what a browser would show rather than substrings of markup.
"""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from results.documents import (
    Attempt,
    AwardEntry,
    EventInfo,
    Infraction,
    PenaltyItem,
    ResultRow,
    SegmentSheet,
    StartListEntry,
)
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
)
from results.redaction import mask_phone, scrub_text

S = 1_000_000_000
ID_NUMBER = "11010519491231002X"
ID_NUMBER_DIGITS = "110105194912310021"
OLD_ID_NUMBER = "110105491231002"
SCRIPT_NAME = "<script>alert(1)</script>"
FORMULA_NAME = '=HYPERLINK("x")'
ELEVEN_DIGITS = re.compile(r"(?<!\d)1\d{10}(?!\d)")

VOID = {"meta", "br", "link", "img", "input", "hr", "col", "wbr"}


class Node:
    """An element of the parsed document: tag, attributes, children, own text."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Node | str] = []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def elements(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        found: list[Node] = []
        for child in self.elements():
            if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                found.append(child)
            found.extend(child.find_all(tag, cls))
        return found

    def find(self, tag: str | None = None, cls: str | None = None) -> Node:
        found = self.find_all(tag, cls)
        assert found, f"no <{tag} class={cls}>"
        return found[0]


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def visible_text(html: str) -> str:
    """All text a reader could see (style and title excluded)."""
    root = parse(html)
    for node in root.find_all("style") + root.find_all("title"):
        node.children = []
    return root.text()


# ---------------------------------------------------------------- fixtures


def make_event(lang: str = "zh", **changes: object) -> EventInfo:
    event = EventInfo(
        title="朝阳区第三届快递员驾驶技能竞赛",
        date="2026-11-28",
        course_name_zh="标准六项",
        course_name_en="Standard six",
        precision_ns=10_000_000,
        lang="en" if lang == "en" else "zh",
        organizer="朝阳区总工会",
    )
    return replace(event, **changes)  # type: ignore[arg-type]


def award(code: str, zh: str, en: str, place: int, bib: int, name: str, **kw: object) -> AwardEntry:
    base: dict[str, object] = dict(
        prize_code=code,
        prize_zh=zh,
        prize_en=en,
        place=place,
        bib=bib,
        name=name,
        platform="美团",
        station="望京站",
        phone=f"138{bib:04d}5678",
        result_ns=60 * S + bib,
        style_score=None,
        tie_flag_zh=None,
    )
    base.update(kw)
    return AwardEntry(**base)  # type: ignore[arg-type]


def make_awards() -> list[AwardEntry]:
    # Deliberately out of order: the list must group by tier place.
    return [
        award("third", "三等奖", "Third Prize", 3, 104, "赵六"),
        award("first", "一等奖", "First Prize", 1, 101, "张三"),
        award(
            "style",
            "最佳风采奖",
            "Best Style Award",
            4,
            107,
            "孙九",
            result_ns=None,
            style_score=92,
        ),
        award("second", "二等奖", "Second Prize", 2, 102, "李四"),
        award("third", "三等奖", "Third Prize", 3, 105, "钱七"),
        award("second", "二等奖", "Second Prize", 2, 103, "王五"),
        award("third", "三等奖", "Third Prize", 3, 106, "周八"),
        award(
            "style",
            "最佳风采奖",
            "Best Style Award",
            4,
            108,
            "吴十",
            result_ns=None,
            style_score=88,
        ),
    ]


def row(
    rank: int | None, bib: int, *, status: str = "OK", adjusted: int | None = None, **kw: object
) -> ResultRow:
    adj = (
        adjusted
        if adjusted is not None
        else (60 * S + bib * 10_000_000 if status == "OK" else None)
    )
    base: dict[str, object] = dict(
        rank=rank,
        shared=False,
        bib=bib,
        name=f"骑手{bib}",
        gender="男",
        phone="13812345678",
        platform="饿了么",
        station="亦庄站",
        status=status,
        raw_ns=adj,
        penalty_ns=0,
        adjusted_ns=adj,
    )
    base.update(kw)
    return ResultRow(**base)  # type: ignore[arg-type]


def start_entries(n: int = 5) -> list[StartListEntry]:
    return [
        StartListEntry(
            i + 1,
            201 + i,
            f"选手{i + 1}",
            "女" if i % 3 == 0 else "男",
            f"1391234{i:04d}",
            "京东",
            "中关村站",
            1 + i % 2,
        )
        for i in range(n)
    ]


SEGMENTS = [
    SegmentSheet(
        "plank",
        "单边桥",
        "Plank",
        (
            Infraction("drop", "掉桥", "Dropped off", 5 * S, False, None),
            Infraction("fall", "摔车", "Fall", 0, True, None),
        ),
    ),
    SegmentSheet(
        "slalom",
        "绕杆",
        "Slalom",
        (
            ("pole_down", "碰倒杆", "Pole down", 3 * S, False, None),  # plain tuple accepted
            ("missed", "漏杆", "Pole missed", 20 * S, False, 1),
            ("foot", "支脚", "Foot down", 3 * S, False, None),
        ),  # type: ignore[arg-type]
    ),
    SegmentSheet(
        "signal", "信号灯路口", "Signal", (Infraction("red", "闯红灯", "Red light", 0, True),)
    ),
]


def all_documents(
    event: EventInfo,
    awards: list[AwardEntry],
    rows: list[ResultRow],
    entries: list[StartListEntry],
    ties: list[str],
) -> dict[str, str]:
    return {
        AWARD_LIST_FILE: render_award_list(event, awards, ties),
        CERTIFICATES_FILE: render_certificates(event, awards),
        results_notice_file("初赛"): render_results_notice(event, "初赛", "Preliminary", rows, 2),
        start_list_file("初赛"): render_start_list(event, "初赛", "Preliminary", entries),
        REFEREE_SHEETS_FILE: render_referee_sheets(event, SEGMENTS, entries),
    }


# ---------------------------------------------------------------- award list


def test_award_list_groups_prizes_in_course_order_with_counts() -> None:
    root = parse(render_award_list(make_event(), make_awards(), []))
    groups = root.find_all("section", "prize-group")
    assert [g.attrs["data-prize"] for g in groups] == ["first", "second", "third", "style"]
    bibs = [[int(r.attrs["data-bib"]) for r in g.find_all("tr", "winner")] for g in groups]
    assert bibs == [[101], [102, 103], [104, 105, 106], [107, 108]]
    assert [g.find("h2").text().split("（")[0] for g in groups] == [
        "一等奖",
        "二等奖",
        "三等奖",
        "最佳风采奖",
    ]
    style_text = groups[3].text()
    assert "9.2" in style_text and "8.8" in style_text
    first_row = groups[0].find("tr", "winner").text()
    assert "1:00.00" in first_row  # 60 s + 101 ns, truncated to 0.01 s
    assert not root.find_all(cls="ties-warning")


def test_award_list_shows_tie_warning_and_flags() -> None:
    awards = make_awards()
    awards[0] = replace(awards[0], tie_flag_zh="与105号并列，需加赛")
    html = render_award_list(make_event(), awards, ["第4名并列：104号 赵六、105号 钱七，需加赛"])
    root = parse(html)
    warning = root.find("div", "ties-warning")
    assert "需加赛" in warning.text() and "104号" in warning.text()
    # The warning comes before the first prize table, where nobody can miss it.
    assert html.index('<div class="warning ties-warning"') < html.index(
        '<section class="prize-group"'
    )
    tied = [r for r in root.find_all("tr", "winner") if "tied" in r.classes]
    assert [r.attrs["data-bib"] for r in tied] == ["104"]
    assert "与105号并列" in tied[0].text()


def test_award_list_masks_phones() -> None:
    html = render_award_list(make_event(), make_awards(), [])
    assert "138****5678" in visible_text(html)
    assert "13801015678" not in html
    assert not ELEVEN_DIGITS.search(html)
    # A landline is not caught by the free-text net: only the field's own mask hides it.
    landline = [replace(make_awards()[0], phone="02887654321")]
    for page in (render_award_list(make_event(), landline, []),
                 render_start_list(make_event(), "初赛", "P",
                                   [StartListEntry(1, 1, "甲", None, "02887654321", None, None, None)])):
        assert "028****4321" in visible_text(page)
        assert "02887654321" not in page


# ---------------------------------------------------------------- certificates


def test_one_certificate_per_winner_each_on_its_own_page() -> None:
    awards = make_awards()
    html = render_certificates(make_event(), awards)
    root = parse(html)
    certs = root.find_all("section", "certificate")
    assert len(certs) == len(awards)
    assert [int(c.attrs["data-bib"]) for c in certs] == [a.bib for a in awards]
    for cert, entry in zip(certs, awards, strict=True):
        text = cert.text()
        assert entry.name in cert.find(cls="rider-name").text()
        assert cert.find(cls="prize-name").text() == entry.prize_zh
        assert "朝阳区第三届快递员驾驶技能竞赛" in text
        assert "2026年11月28日" in text
        assert "美团 · 望京站" in text
        assert "朝阳区总工会" in text
    css = root.find("style").text()
    assert re.search(r"\.certificate\s*\{[^}]*break-after:\s*page", css)
    assert re.search(r"\.certificate:last-child\s*\{[^}]*break-after:\s*auto", css)
    assert re.search(r"size:\s*A4 landscape", css)
    assert "Noto Serif CJK SC" in css and "SimSun" in css


def test_certificates_in_english() -> None:
    root = parse(render_certificates(make_event("en"), make_awards()[:1]))
    cert = root.find("section", "certificate")
    assert cert.find(cls="heading").text() == "Certificate of Award"
    assert cert.find(cls="prize-name").text() == "Third Prize"
    assert "赵六" in cert.text()  # names stay as they are
    assert "28 November 2026" in cert.text()
    assert root.find("html").attrs["lang"] == "en"


# ---------------------------------------------------------------- results notice


def notice_rows() -> list[ResultRow]:
    pen = (
        PenaltyItem("绕杆", "Slalom", "碰杆", "Pole down", 2, 6 * S, False, "slalom", "pole_down"),
        PenaltyItem("限宽门", "Gate", "压线", "On the line", 1, 3 * S, False),
    )
    return [
        row(1, 11, prize_zh="一等奖", prize_en="First Prize", qualified=True),
        row(
            2,
            12,
            qualified=True,
            penalties=pen,
            penalty_ns=9 * S,
            raw_ns=50 * S,
            adjusted=59 * S + 999_999_999,
        ),
        row(3, 13, shared=True, qualified=True, note_zh="并列，需加赛", note_en="Tie: run-off"),
        row(3, 14, shared=True, qualified=True),
        row(5, 15),
        row(None, 16, status="DNF", raw_ns=None),
        row(
            None,
            17,
            status="DSQ",
            penalties=(PenaltyItem("单边桥", "Plank", "摔车", "Fall", 1, 0, True),),
            raw_ns=70 * S,
        ),
    ]


def body_rows(root: Node) -> list[Node]:
    return root.find("tbody").elements()


def test_results_notice_draws_cut_line_after_last_qualified_rider() -> None:
    # Cut is 3 but the tie at 3rd takes both riders through: the line goes under 14.
    root = parse(render_results_notice(make_event(), "初赛", "Preliminary", notice_rows(), 3))
    trs = body_rows(root)
    kinds = ["cut" if "cut-line" in tr.classes else tr.attrs["data-bib"] for tr in trs]
    assert kinds == ["11", "12", "13", "14", "cut", "15", "16", "17"]
    cut = root.find("tr", "cut-line")
    assert "4 人晋级" in cut.text() and "名额 3 人" in cut.text()
    assert [tr.attrs["data-bib"] for tr in trs if "qualified" in tr.classes] == [
        "11",
        "12",
        "13",
        "14",
    ]


def test_results_notice_cut_from_ranks_when_no_flags() -> None:
    rows = [replace(r, qualified=False) for r in notice_rows()]
    root = parse(render_results_notice(make_event(), "初赛", "Preliminary", rows, 2))
    kinds = ["cut" if "cut-line" in tr.classes else tr.attrs["data-bib"] for tr in body_rows(root)]
    assert kinds.index("cut") == 2
    no_cut = parse(render_results_notice(make_event(), "决赛", "Final", rows, None))
    assert not no_cut.find_all("tr", "cut-line")


def test_results_notice_cells() -> None:
    html = render_results_notice(make_event(), "初赛", "Preliminary", notice_rows(), 4)
    root = parse(html)
    rows = {tr.attrs["data-bib"]: tr for tr in body_rows(root) if "data-bib" in tr.attrs}
    r12 = [td.text().strip() for td in rows["12"].find_all("td")]
    assert r12[0] == "2" and r12[1] == "12" and r12[2] == "骑手12"
    assert "50.00" in r12
    assert "绕杆·碰杆×2 +6" in r12[5] and "限宽门·压线 +3" in r12[5]
    assert r12[6] == "+9"
    assert r12[7] == "59.99"  # truncated, never rounded up to 1:00.00
    assert rows["13"].find("td", "rank").text() == "=3"
    assert "并列，需加赛" in rows["13"].text()
    assert "一等奖" in rows["11"].find("td", "remarks").text()
    assert "prize" in rows["11"].classes
    assert "未完成" in rows["16"].text() and "status-dnf" in rows["16"].classes
    assert "单边桥·摔车 取消成绩" in rows["17"].text()
    assert rows["17"].find("td", "adjusted").text() == "—"
    css = root.find("style").text()
    assert re.search(r"thead\s*\{\s*display:\s*table-header-group", css)
    assert re.search(r"tr, \.no-break\s*\{\s*break-inside:\s*avoid", css)
    assert re.search(r"@page\s*\{\s*size:\s*A4;", css)
    assert '"Noto Sans CJK SC"' in css and '"Microsoft YaHei"' in css
    assert '<meta charset="utf-8">' in html


def test_results_notice_final_shows_both_runs_and_marks_the_counting_one() -> None:
    runs = ((1, "OK", 70 * S, 3 * S, 73 * S), (2, "OK", 61 * S, 0, 61 * S))
    final = [
        row(1, 21, adjusted=61 * S, attempts=runs),
        row(
            2,
            22,
            adjusted=65 * S,
            attempts=(
                Attempt(1, "DSQ", None, 0, None),
                Attempt(2, "OK", 62 * S, 3 * S, 65 * S, True),
            ),
        ),
    ]
    root = parse(render_results_notice(make_event(), "决赛", "Final", final))
    head = [th.text() for th in root.find("tr", "col-heads").find_all("th")]
    assert "各轮成绩" in head
    first = root.find("tr", "rider").find("td", "runs")
    counting = first.find_all("div", "counting")
    assert len(counting) == 1 and counting[0].text().startswith("2: 1:01.00")
    assert "✓" in counting[0].text()
    assert first.find("div", "other").text() == "1: 1:10.00 +3 = 1:13.00"
    second = root.find_all("tr", "rider")[1].find("td", "runs")
    assert second.find("div", "other").text() == "1: 取消成绩"


def test_duration_uses_event_precision() -> None:
    rows = [row(1, 1, adjusted=62 * S + 349_999_999)]
    at_centi = visible_text(render_results_notice(make_event(), "初赛", "P", rows))
    at_milli = visible_text(
        render_results_notice(make_event(precision_ns=1_000_000), "初赛", "P", rows)
    )
    assert "1:02.34" in at_centi and "1:02.35" not in at_centi
    assert "1:02.349" in at_milli


def test_english_variant_labels() -> None:
    event = make_event("en")
    root = parse(render_results_notice(event, "初赛", "Preliminary", notice_rows(), 3))
    head = [th.text() for th in root.find("tr", "col-heads").find_all("th")]
    assert head == [
        "Rank",
        "Bib",
        "Name",
        "Platform / Station",
        "Raw",
        "Penalties",
        "Pen.",
        "Result",
        "Status",
        "Note",
    ]
    text = visible_text(render_results_notice(event, "初赛", "Preliminary", notice_rows(), 3))
    assert "Results (Preliminary)" in text and "（" not in text and "：" not in text
    assert "Preliminary" in text and "初赛" not in text
    assert "Slalom: Pole down×2 +6" in text
    assert "Tie: run-off" in text
    assert "骑手12" in text  # names are never translated
    for label in ("名次", "号码", "最终成绩", "晋级"):
        assert label not in text
    award_text = visible_text(render_award_list(event, make_awards(), ["tie at 4th"]))
    assert (
        "First Prize" in award_text and "Prize Winners" in award_text and "一等奖" not in award_text
    )
    sheet_text = visible_text(render_referee_sheets(event, SEGMENTS, start_entries(2)))
    assert "Judge (signature)" in sheet_text and "Pole down" in sheet_text


# ---------------------------------------------------------------- start list, judge sheets


def test_start_list_in_order_with_masked_phones() -> None:
    entries = start_entries(6)
    html = render_start_list(make_event(), "初赛", "Preliminary", entries, track=2)
    root = parse(html)
    trs = root.find("tbody").find_all("tr", "rider")
    assert [int(tr.attrs["data-bib"]) for tr in trs] == [e.bib for e in entries]
    assert [tr.find_all("td")[6].text() for tr in trs][:2] == ["139****0000", "139****0001"]
    assert "第2赛道" in root.find("h1").text()
    assert not ELEVEN_DIGITS.search(html)
    # Without a single track, each rider's own track shows.
    mixed = parse(render_start_list(make_event(), "初赛", "Preliminary", entries))
    assert "赛道" in [th.text() for th in mixed.find("tr", "col-heads").find_all("th")]


def test_referee_sheets_one_page_per_segment_with_tally_boxes() -> None:
    entries = start_entries(7)
    root = parse(render_referee_sheets(make_event(), SEGMENTS, entries, "初赛", "Preliminary"))
    sheets = root.find_all("section", "referee-sheet")
    assert [s.attrs["data-segment"] for s in sheets] == ["plank", "slalom", "signal"]
    for sheet, segment in zip(sheets, SEGMENTS, strict=True):
        assert segment.name_zh in sheet.find("h1").text()
        assert "裁判员（签名）" in sheet.find(cls="sign-line").text()
        heads = [th.attrs.get("data-code") for th in sheet.find_all("th", "infraction")]
        assert heads == [i.code for i in segment.infractions]
        trs = sheet.find("tbody").find_all("tr", "rider")
        assert [int(tr.attrs["data-bib"]) for tr in trs] == [e.bib for e in entries]
        for tr in trs:
            boxes = tr.find_all("td", "box")
            assert len(boxes) == len(segment.infractions) + 2  # + total + remarks
            assert all(b.text().strip() == "" for b in boxes)
            assert len(tr.find_all("td", "total")) == 1
    legend = sheets[1].find(cls="legend").text()
    assert "碰倒杆：+3 s" in legend and "漏杆：+20 s（上限 1）" in legend
    assert "摔车：取消成绩" in sheets[0].find(cls="legend").text()
    css = root.find("style").text()
    assert re.search(r"section\.sheet \+ section\.sheet\s*\{\s*break-before:\s*page", css)


# ---------------------------------------------------------------- privacy and escaping


def test_hostile_names_are_escaped_everywhere() -> None:
    event = make_event(title="<b>赛事</b>", organizer="<i>org</i>")
    awards = [
        award("first", "一等奖", "First", 1, 1, SCRIPT_NAME),
        award("second", "二等奖", "Second", 2, 2, FORMULA_NAME, station="<img src=x>"),
    ]
    rows = [row(1, 1, name=SCRIPT_NAME, note_zh="<u>x</u>"), row(2, 2, name=FORMULA_NAME)]
    entries = [
        StartListEntry(1, 1, SCRIPT_NAME, None, "", "<svg onload=1>", None, None),
        StartListEntry(2, 2, FORMULA_NAME, None, "", None, None, None),
    ]
    for name, html in all_documents(event, awards, rows, entries, [SCRIPT_NAME]).items():
        assert "<script" not in html, name
        assert "<img" not in html and "<svg" not in html and "<u>" not in html, name
        assert "<b>赛事" not in html and "<i>org" not in html, name
        root = parse(html)
        assert not root.find_all("script") and not root.find_all("img"), name
        names = [n.text() for n in root.find_all(cls="rider-name")]
        assert SCRIPT_NAME in names, name
        assert FORMULA_NAME in names, name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, name
        assert "=HYPERLINK(&#34;x&#34;)" in html, name


def test_no_id_number_or_full_phone_anywhere_even_if_passed_in() -> None:
    # An ID number pasted into every text field a clerk could reach, and phones
    # typed into free text: neither may reach paper.
    event = make_event(title=f"竞赛{ID_NUMBER}", organizer=OLD_ID_NUMBER)
    awards = [
        award(
            "first",
            "一等奖",
            "First",
            1,
            1,
            f"张三{ID_NUMBER}",
            station=ID_NUMBER_DIGITS,
            phone=ID_NUMBER,
            tie_flag_zh=f"联系13912345678 {ID_NUMBER}",
        )
    ]
    rows = [
        row(
            1,
            1,
            name=ID_NUMBER_DIGITS,
            phone=ID_NUMBER,
            platform=ID_NUMBER,
            note_zh=f"身份证{ID_NUMBER}",
            prize_zh=OLD_ID_NUMBER,
            qualified=True,
        )
    ]
    entries = [
        StartListEntry(
            1,
            1,
            f"李四 {ID_NUMBER_DIGITS}",
            ID_NUMBER,
            "139-1234-5678",
            ID_NUMBER,
            f"站点{OLD_ID_NUMBER}",
            1,
        )
    ]
    docs = all_documents(event, awards, rows, entries, [f"{ID_NUMBER} 与 13812345678 并列"])
    docs["index.html"] = __import__("results.printing", fromlist=["x"]).render_index(
        event, list(docs)
    )
    for name, html in docs.items():
        for secret in (
            ID_NUMBER,
            ID_NUMBER_DIGITS,
            OLD_ID_NUMBER,
            ID_NUMBER[:17],
            "13912345678",
            "13812345678",
            "139-1234-5678",
        ):
            assert secret not in html, (name, secret)
        assert not ELEVEN_DIGITS.search(html), name
        assert not re.search(r"\d{15,}", html), name
    assert "139" in visible_text(docs[start_list_file("初赛")])  # masked, not dropped


def test_phone_masking_and_text_scrubbing() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == "" and mask_phone(None) == ""
    assert scrub_text("电话13812345678，证件11010519491231002X") == "电话138****5678，证件[已隐去]"
    assert scrub_text("电话138 1234 5678") == "电话138****5678"
    assert scrub_text("旧证件110105491231002") == "旧证件[已隐去]"
    assert scrub_text("第3名 55.57，号码 101") == "第3名 55.57，号码 101"


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_any_name_prints_as_text(name: str) -> None:
    html = render_start_list(
        make_event(), "初赛", "P", [StartListEntry(1, 7, name, None, "", None, None, None)]
    )
    cell = parse(html).find("td", "rider-name")
    # What a parser reads back is the name itself (scrubbed), never markup made from it.
    assert cell.text() == scrub_text(name)


def test_index_links_every_document(tmp_path: Path) -> None:
    from urllib.parse import unquote

    from results.printing import render_index

    names = [AWARD_LIST_FILE, CERTIFICATES_FILE, results_notice_file("决赛")]
    root = parse(render_index(make_event(), names))
    assert [unquote(a.attrs["href"]) for a in root.find_all("a")] == names
    assert results_notice_file("初/赛") == "成绩公告-初_赛.html"


def test_missing_label_is_an_error_not_a_blank() -> None:
    from results import printing

    broken = {**printing.LABELS["zh"]}
    del broken["rank"]
    original = printing.LABELS["zh"]
    printing.LABELS["zh"] = broken
    try:
        with pytest.raises(Exception, match="rank"):
            render_results_notice(make_event(), "初赛", "P", notice_rows())
    finally:
        printing.LABELS["zh"] = original


def test_empty_inputs_render_a_clear_page() -> None:
    event = make_event()
    for html in (render_certificates(event, []), render_award_list(event, [], []),
                 render_results_notice(event, "初赛", "P", []), render_start_list(event, "初赛", "P", [])):
        root = parse(html)
        assert not root.find_all("section", "certificate") and not root.find_all("tr", "rider")
        assert "暂无数据" in visible_text(html)
