"""The reader's plain check of a row gives the pydantic model's verdict and reasons, for any values."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from competition.registration.rider_check import FIELDS, rider_problems
from competition.registration.rider_record import RiderRecord, explain


def model_problems(values: dict[str, object]) -> list[tuple[str, object]]:
    try:
        RiderRecord.model_validate(values)
    except ValidationError as error:
        return explain(error, values)
    return []


def test_fields_are_the_models_in_its_order() -> None:
    assert tuple(RiderRecord.model_fields) == FIELDS


NAMES = st.one_of(st.text(max_size=45), st.sampled_from(["", " ", "·", "1", "²", "Ⅻ", "_x", "张", "a" * 40, "a" * 41]))
PHONES = st.one_of(
    st.none(),
    st.sampled_from(["13800138000", "12800138000", "1380013800", "138001380000", "13800138000\n",
                     "1380013800０", "٣3800138000", "+8613800138000", "010-1234567", ""]),
    st.from_regex(r"1[0-9]{9,11}", fullmatch=True),
    st.text(max_size=12),
)
BIBS = st.one_of(
    st.none(),
    st.sampled_from(["1", "12", "0", "999999", "1000000", "+12", "1_2", " 12", "12\n", "12.0", "12.5",
                     "-1", "1e2", "0x10", "١٢", "１２", "9" * 30, ""]),
    st.from_regex(r"[0-9]{1,8}", fullmatch=True),
    st.text(max_size=8),
)
TEXTS = st.one_of(st.none(), st.text(max_size=10))


@settings(max_examples=600, deadline=None)
@given(name=NAMES, phone=PHONES, gender=st.sampled_from(["男", "女", None, "x"]), bib=BIBS,
       platform=TEXTS, station=TEXTS, id_number=TEXTS, note=TEXTS)
def test_same_verdict_and_reasons_as_the_model(name: str, phone: str | None, gender: str | None,
                                               bib: str | None, platform: str | None, station: str | None,
                                               id_number: str | None, note: str | None) -> None:
    values: dict[str, object] = {"name": name, "phone": phone, "gender": gender, "platform": platform,
                                 "station": station, "id_number": id_number, "note": note, "bib": bib}
    assert rider_problems(values) == model_problems(values)


def test_a_bib_of_an_unusual_shape_gets_the_models_answer() -> None:
    base: dict[str, object] = {"name": "张三", "phone": "13800138000"}
    assert rider_problems({**base, "bib": "1_2"}) == []  # pydantic reads it as 12, as the reader always did
    assert [f for f, _ in rider_problems({**base, "bib": "12.5"})] == ["bib"]
    assert [f for f, _ in rider_problems({"name": "1", "phone": "123", "bib": "0"})] == ["name", "phone", "bib"]


def test_reading_a_sheet_loads_no_pydantic(tmp_path) -> None:
    from competition.registration.sample_sheet import make_clerk_csv

    make_clerk_csv(tmp_path / "s.csv", 60, "gbk", seed=2)
    code = ("import sys; from competition.registration import read_registration; "
            f"r = read_registration({str(tmp_path / 's.csv')!r}); assert r.rows and r.rejected; "
            "print('pydantic' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
