"""Property: whatever riders a sheet holds, reading it gives them back exactly."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from competition.registration import read_registration

from .sheets import CLERK_TOP, write_csv, write_xlsx

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁"
GIVEN = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波芳娜敏静丽艳娟霞秀玲桂英红梅琳燕雪"

names = st.builds(lambda s, g: s + g, st.sampled_from(SURNAMES),
                  st.text(alphabet=GIVEN, min_size=1, max_size=2))
phones = st.builds(lambda second, rest: f"1{second}{rest:09d}", st.sampled_from("3456789"),
                   st.integers(min_value=0, max_value=10**9 - 1))
riders = st.lists(st.tuples(names, phones), min_size=1, max_size=30,
                  unique_by=lambda rider: rider[1])


@settings(max_examples=30, deadline=None)
@given(riders=riders, kind=st.sampled_from(["xlsx", "utf-8", "utf-8-sig", "gbk", "utf-16"]),
       delimiter=st.sampled_from([",", "\t", ";"]), as_number=st.booleans())
def test_riders_read_back(riders: list[tuple[str, str]], kind: str, delimiter: str,
                          as_number: bool) -> None:
    rows: list[list[object]] = [*CLERK_TOP, ["序号", "姓名", "联系电话"]]
    for i, (name, phone) in enumerate(riders, start=1):
        rows.append([i, name, int(phone) if as_number and kind == "xlsx" else phone])
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "xlsx":
            path = write_xlsx(Path(tmp) / "r.xlsx", rows)
        else:
            path = write_csv(Path(tmp) / "r.csv", rows, encoding=kind, delimiter=delimiter)
        reading = read_registration(path)
    assert [(r.name, r.phone) for r in reading.rows] == riders
    assert [r.sheet_row for r in reading.rows] == list(range(4, 4 + len(riders)))
    assert reading.rejected == [] and reading.duplicates == []
