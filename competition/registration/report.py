"""Keeping an import report readable: the first 100 of each list, then a summary.

A sheet of 50,000 bad rows must not print 50,000 lines. The text report and
``entrants import --json`` list the first ``LIMITS.max_messages`` rejections
(warnings, merged duplicates) one by one and sum up the rest by kind: the
column and the reason with its numbers left out ("手机号应为 # 位数字").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from competition.registration.bounds import LIMITS

_NUMBER = re.compile(r"\d+")


def _kind(item: dict[str, Any]) -> tuple[str | None, str, str]:
    return (item.get("column"), _NUMBER.sub("#", str(item.get("reason_zh", ""))),
            _NUMBER.sub("#", str(item.get("reason_en", ""))))


def capped(items: Sequence[dict[str, Any]], limit: int = LIMITS.max_messages
           ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The first ``limit`` items, and ``{"count": N, "kinds": [...]}`` for the rest.

    Each kind is ``{"column", "reason_zh", "reason_en", "count"}``, most
    frequent first (reasons with their numbers replaced by ``#``); items
    without reasons (merged duplicates) give no kinds, only the count.
    """
    shown = list(items[:limit])
    hidden = items[limit:]
    kinds = Counter(_kind(item) for item in hidden if "reason_zh" in item)
    return shown, {
        "count": len(hidden),
        "kinds": [{"column": column, "reason_zh": zh, "reason_en": en, "count": n}
                  for (column, zh, en), n in kinds.most_common()],
    }


def more_lines(more: dict[str, Any], lang: str) -> list[str]:
    """The text lines saying what ``capped`` left out ([] when nothing was)."""
    if not more["count"]:
        return []
    en = lang == "en"
    if not more["kinds"]:
        return [f"  … and {more['count']} more" if en else f"  ……另有 {more['count']} 条未逐条列出"]
    lines = [f"  … and {more['count']} more of the same kinds:" if en
             else f"  ……另有 {more['count']} 条同类问题未逐条列出："]
    for kind in more["kinds"][:20]:
        column = f"{kind['column']}: " if kind["column"] else ""
        reason = kind["reason_en"] if en else kind["reason_zh"]
        lines.append(f"    {column}{reason} × {kind['count']}")
    if len(more["kinds"]) > 20:
        rest = sum(k["count"] for k in more["kinds"][20:])
        lines.append(f"    … {rest} of {len(more['kinds']) - 20} other kinds" if en
                     else f"    ……其他 {len(more['kinds']) - 20} 类共 {rest} 条")
    return lines
