"""Registration sheets that look like a clerk's, for tests, the bench and the demo.

Deterministic by seed. The workbook has what EVENT-DAY.md step 1 describes:
a merged title row, a "填报单位：… 填报日期：…" line, the header 序号 姓名 性别
联系电话 所属平台 配送站点 身份证号 备注, phones typed as numbers (int and
float cells), with dashes, with +86, one with full-width digits, names with
full-width spaces, two riders entered twice, four bad rows (no name, phone
too short, a landline, no phone) and a 合计 footer. With 512 data rows that
reads as step 3 says: 512 rows, 506 riders, 4 rejected, 2 duplicates merged.
``fixed=True`` is the clerk's second version, two of the bad rows corrected.
"""

from __future__ import annotations

import csv
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from competition.registration.id_numbers import id_check_char

TITLE = "XX区第三届快递员驾驶技能竞赛报名表"
HEADER = ("序号", "姓名", "性别", "联系电话", "所属平台", "配送站点", "身份证号", "备注")
HEADER_ROW = 3
MIN_RIDERS = 16

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤"
)
GIVEN_MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林建国志文博海东亮成立新春"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲桂英红梅琳燕雪倩婷慧颖洁晶月兰萍琴云莉"

# Two platforms, each with its stations and the spellings station managers use.
PLATFORMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "美团": (
        ("美团", "美团", "美团外卖", "美团配送", "美团众包"),
        ("望京站", "酒仙桥站", "三里屯站", "国贸站", "双井站", "劲松站", "大望路站", "朝阳门站"),
    ),
    "饿了么": (
        ("饿了么", "饿了么", "蜂鸟即配", "饿了吗", "蜂鸟"),
        ("蜂鸟望京站", "蜂鸟亮马桥站", "蜂鸟团结湖站", "蜂鸟呼家楼站", "蜂鸟十里堡站", "蜂鸟管庄站"),
    ),
}
REGIONS = ("110105", "110108", "130102", "130602", "410102", "411302", "341202", "510104",
           "430104", "372901")
NOTES = ("", "", "", "", "", "", "", "", "夜班", "新入职", "去年参加过", "站长推荐")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                   "152", "155", "156", "157", "158", "159", "166", "176", "177", "178", "180",
                   "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199")


@dataclass(frozen=True)
class SampleRider:
    """The truth behind one rider's row, as the reader should find it."""

    name: str
    phone: str
    gender: str
    platform: str
    station: str
    id_number: str
    note: str | None


def make_id_number(rng: random.Random, gender: str) -> str:
    """A checksum-valid 18-character ID number whose gender digit matches."""
    born = f"{rng.randint(1970, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    seq = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if gender == "男" else (0, 2, 4, 6, 8))
    first17 = f"{rng.choice(REGIONS)}{born}{seq:03d}"
    return first17 + id_check_char(first17)


def make_rider(rng: random.Random, phones: set[str]) -> SampleRider:
    """One plausible rider with a phone not in ``phones`` (which it joins)."""
    gender = "男" if rng.random() < 0.86 else "女"
    given = GIVEN_MALE if gender == "男" else GIVEN_FEMALE
    name = rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2, 2))))
    while True:
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone not in phones:
            phones.add(phone)
            break
    platform = rng.choice(("美团", "饿了么"))
    station = rng.choice(PLATFORMS[platform][1])
    return SampleRider(name, phone, gender, platform, station, make_id_number(rng, gender),
                       rng.choice(NOTES) or None)


def _full_width(digits: str) -> str:
    return "".join(chr(0xFF10 + int(d)) for d in digits)


def _messy_name(rng: random.Random, name: str, k: int) -> str:
    if k % 29 == 7 and len(name) == 2:
        return f"{name[0]}\u3000{name[1]}"  # padded to line up with three-character names
    if k % 31 == 11:
        return f"\u3000{name} "
    return name


def _messy_phone(rng: random.Random, phone: str, k: int, *, workbook: bool) -> object:
    style = k % 25
    if style in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9):
        return int(phone) if workbook else phone
    if style in (10, 11, 12, 13, 14):
        return float(phone) if workbook else phone
    if style in (15, 16):
        return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if style == 17:
        return f"+86 {phone}"
    if style == 18:
        return f"+86-{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if style == 19:
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    if style == 20:
        return f" {phone} "
    return phone


def _messy_gender(gender: str, k: int) -> str:
    if k % 41 == 5:
        return gender + "性"
    return gender


@dataclass
class _Plan:
    rows: list[list[object]]
    expected: dict[str, Any]


def plan_clerk_sheet(n_riders: int = 512, seed: int = 0, *, fixed: bool = False,
                     workbook: bool = True) -> _Plan:
    """The cell values of a clerk's sheet (title, 填报 line, header, data, footer).

    ``n_riders`` is the number of data rows (as the clerk's 序号 counts them);
    six of them are not new riders (4 bad rows, 2 repeats). ``expected``
    holds what reading the sheet must find, row numbers included.
    """
    if n_riders < MIN_RIDERS:
        raise ValueError(f"a clerk sheet needs at least {MIN_RIDERS} data rows")
    rng = random.Random(seed)
    phones: set[str] = set()
    first_data = HEADER_ROW + 1
    slots = rng.sample(range(4, n_riders), 6)
    no_name, short_phone, landline, no_phone, repeat_a, repeat_b = slots
    special = set(slots)
    full_width_at = next(k for k in range(2, n_riders) if k not in special)

    data: list[list[object]] = []
    truth: list[dict[str, Any]] = []  # riders in first-seen order
    by_phone: dict[str, int] = {}
    rejected_rows: list[int] = []
    duplicate_rows: list[tuple[int, int]] = []
    blank_station_at: int | None = None

    for k in range(n_riders):
        sheet_row = first_data + k
        seq = k + 1
        if k in (repeat_a, repeat_b):
            if k == repeat_b and blank_station_at is not None:
                original = truth[blank_station_at]
            else:  # any earlier rider but the one kept for repeat_b
                others = [t for i, t in enumerate(truth) if i != blank_station_at]
                original = others[rng.randrange(len(others))]
            # the repeat is typed differently but reads the same
            repeat_phone = f"+86 {original['phone'][:3]}-{original['phone'][3:7]}-{original['phone'][7:]}"
            station = original["station"] or original["_station"]
            data.append([seq, original["name"] + "\u3000", original["gender"], repeat_phone,
                         original["_platform_text"], station, original["id_number"], None])
            if original["station"] is None:
                original["station"] = station  # the repeat fills the empty cell
            duplicate_rows.append((sheet_row, original["sheet_row"]))
            continue
        rider = make_rider(rng, phones)
        platform_text = rng.choice(PLATFORMS[rider.platform][0])
        name_cell: object = _messy_name(rng, rider.name, k)
        phone_cell: object = _messy_phone(rng, rider.phone, k, workbook=workbook)
        if k == full_width_at:
            phone_cell = _full_width(rider.phone)
        is_bad = k in (no_name, short_phone, landline, no_phone)
        if k == no_name and not fixed:
            name_cell = None
        elif k == short_phone and not fixed:
            phone_cell = rider.phone[:-1]
        elif k == landline:
            phone_cell = f"010-{rider.phone[3:7]} {rider.phone[7:]}"
        elif k == no_phone:
            phone_cell = None
        station_cell: str | None = rider.station
        if blank_station_at is None and not is_bad and k < repeat_b and k > 1:
            station_cell = None
        data.append([seq, name_cell, _messy_gender(rider.gender, k), phone_cell, platform_text,
                     station_cell, rider.id_number, rider.note])
        if is_bad and not (fixed and k in (no_name, short_phone)):
            rejected_rows.append(sheet_row)
            continue
        entry = {**asdict(rider), "sheet_row": sheet_row, "_platform_text": platform_text,
                 "_station": rider.station}
        if station_cell is None:
            entry["station"] = None
            blank_station_at = len(truth)
        by_phone[rider.phone] = len(truth)
        truth.append(entry)

    riders = [{k: v for k, v in t.items() if not k.startswith("_")} for t in truth]
    rows: list[list[object]] = [
        [TITLE, *[None] * 7],
        ["填报单位：XX区总工会（各平台站点汇总）", None, None, None, "填报日期：2024年5月20日", None, None, None],
        list(HEADER),
        *data,
        [None] * 8,
        ["合计", None, None, None, None, None, None, f"共 {n_riders} 人"],
        ["制表人：李明", None, None, "审核人：王芳", None, None, None, None],
    ]
    expected: dict[str, Any] = {
        "rows_read": n_riders,
        "riders": len(riders),
        "rejected": len(rejected_rows),
        "duplicates": len(duplicate_rows),
        "header_row": HEADER_ROW,
        "first_data_row": first_data,
        "rejected_rows": sorted(rejected_rows),
        "fixable_rows": sorted(first_data + k for k in (no_name, short_phone)),
        "duplicate_rows": sorted(duplicate_rows),
        "full_width_row": first_data + full_width_at,
        "footer_rows": [first_data + n_riders + 1, first_data + n_riders + 2],
        "rider_rows": riders,
    }
    return _Plan(rows=rows, expected=expected)


def make_clerk_workbook(path: str | Path, n_riders: int = 512, seed: int = 0, *,
                        fixed: bool = False) -> dict[str, Any]:
    """Write a clerk's .xlsx and return what reading it must find.

    The returned dict: ``rows_read``, ``riders``, ``rejected``,
    ``duplicates`` (counts), ``header_row``, ``rejected_rows``,
    ``fixable_rows`` (the two bad rows the clerk corrects in the
    ``fixed=True`` version), ``duplicate_rows`` ((row, first row) pairs),
    ``footer_rows`` and ``rider_rows`` (each rider's truth: sheet_row,
    name, phone, gender, platform, station, id_number, note).
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font

    plan = plan_clerk_sheet(n_riders, seed, fixed=fixed, workbook=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "报名表"
    for row in plan.rows:
        ws.append(row)
    ws.merge_cells("A1:H1")
    ws.merge_cells("A2:D2")
    ws.merge_cells("E2:H2")
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    for col, width in zip("ABCDEFGH", (6, 10, 6, 16, 10, 14, 22, 12), strict=True):
        ws.column_dimensions[col].width = width
    for (cell,) in ws.iter_rows(min_row=HEADER_ROW + 1, min_col=4, max_col=4):
        if isinstance(cell.value, int):
            cell.number_format = "0"
    target = Path(path)
    wb.save(target)
    return plan.expected


def make_clerk_csv(path: str | Path, n: int = 512, encoding: str = "utf-8-sig", *,
                   delimiter: str = ",", seed: int = 0, fixed: bool = False) -> dict[str, Any]:
    """Write the same clerk sheet as a CSV in ``encoding`` and return what reading it must find.

    Excel's CSV keeps the title and 填报 lines as rows of mostly empty cells;
    numbers are written as their digits.
    """
    plan = plan_clerk_sheet(n, seed, fixed=fixed, workbook=False)
    target = Path(path)
    with target.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        for row in plan.rows:
            writer.writerow(["" if v is None else v for v in row])
    return plan.expected
