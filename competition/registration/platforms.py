"""Canonical delivery-platform names from the many ways station managers write them."""

from __future__ import annotations

import re

from competition.clean_text import strip_controls
from competition.registration.cells import FULL_WIDTH, cell_text, remember_text_cells

MEITUAN = "美团"
ELEME = "饿了么"
JD = "京东"
SF = "顺丰同城"
SHANSONG = "闪送"
UU = "UU跑腿"
LALAMOVE = "货拉拉"
CAINIAO = "菜鸟"

CANONICAL_PLATFORMS = (MEITUAN, ELEME, JD, SF, SHANSONG, UU, LALAMOVE, CAINIAO)

_VARIANTS: dict[str, str] = {
    # Meituan and its delivery brands
    "美团": MEITUAN, "美团外卖": MEITUAN, "美团配送": MEITUAN, "美团众包": MEITUAN,
    "美团专送": MEITUAN, "美团快送": MEITUAN, "美团跑腿": MEITUAN, "meituan": MEITUAN,
    # Ele.me and Fengniao (its delivery arm), with the usual typo
    "饿了么": ELEME, "饿了吗": ELEME, "饿了嘛": ELEME, "饿了么外卖": ELEME, "蜂鸟": ELEME,
    "蜂鸟即配": ELEME, "蜂鸟配送": ELEME, "蜂鸟众包": ELEME, "蜂鸟专送": ELEME,
    "饿了么蜂鸟": ELEME, "eleme": ELEME, "ele.me": ELEME, "fengniao": ELEME,
    # JD and Dada (JD's same-city delivery)
    "京东": JD, "京东物流": JD, "京东快递": JD, "京东到家": JD, "京东秒送": JD, "达达": JD,
    "达达快送": JD, "达达秒送": JD, "jd": JD, "jd.com": JD, "dada": JD,
    # SF same-city
    "顺丰": SF, "顺丰同城": SF, "顺丰同城急送": SF, "顺丰速运": SF, "sf": SF,
    "sfexpress": SF,
    "闪送": SHANSONG, "shansong": SHANSONG, "flashex": SHANSONG,
    "uu跑腿": UU, "uu": UU, "uupt": UU,
    "货拉拉": LALAMOVE, "lalamove": LALAMOVE,
    "菜鸟": CAINIAO, "菜鸟驿站": CAINIAO, "菜鸟裹裹": CAINIAO, "cainiao": CAINIAO,
}

# Brand words inside a longer name ("美团外卖（朝阳区）", "蜂鸟即配北京分部").
_BRANDS: tuple[tuple[str, str], ...] = (
    ("美团", MEITUAN), ("饿了", ELEME), ("蜂鸟", ELEME), ("京东", JD), ("达达", JD),
    ("顺丰", SF), ("闪送", SHANSONG), ("uu跑腿", UU), ("货拉拉", LALAMOVE), ("菜鸟", CAINIAO),
)

_NOISE = re.compile(r"\s+")


def canonical_platform(text: str) -> str | None:
    """The platform's canonical name, or the text itself trimmed if unknown.

    ``None`` for an empty cell. An unknown platform is kept as written (with
    whitespace runs collapsed): it may be a legitimate smaller company.
    """
    shown = " ".join(text.split())
    if not shown:
        return None
    key = _NOISE.sub("", shown.translate(FULL_WIDTH)).lower()
    if key in _VARIANTS:
        return _VARIANTS[key]
    for word, name in _BRANDS:
        if word in key:
            return name
    return shown


@remember_text_cells
def platform_of_cell(value: object) -> str | None:
    """A platform cell as stored: its text without control characters, made canonical."""
    return canonical_platform(strip_controls(cell_text(value)))
