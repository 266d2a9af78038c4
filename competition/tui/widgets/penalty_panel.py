"""The penalty keys: segments with their digits, or the armed segment's infractions."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from competition.times import format_penalty
from competition.tui.board import Target
from competition.tui.i18n import Texts
from courses.schema import Course, Segment


class PenaltyPanel(Static):
    """Shows who a call goes to and which keys call what, right now."""

    def __init__(self, tr: Texts, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tr = tr

    def show_keys(self, course: Course, armed: Segment | None, target: Target | None) -> None:
        t = self.tr
        text = Text()
        if target is None:
            text.append(t("timing.no_target") + "\n", style="bold")
        else:
            text.append(t("timing.target", bib=target.bib, name=target.name) + "\n", style="bold reverse")
        if armed is None:
            self.set_class(False, "armed")
            text.append(t("timing.segments_hint") + "\n")
            for seg in course.all_segments():
                # Non-breaking spaces: a wrapped line never splits a key from its name.
                text.append(f" {seg.hotkey} ", style="bold reverse")
                text.append("\u00a0" + t.pick(seg.name_zh, seg.name_en).replace(" ", "\u00a0") + "  ")
        else:
            self.set_class(True, "armed")
            text.append(t("timing.armed", key=armed.hotkey, name=t.pick(armed.name_zh, armed.name_en)) + "\n",
                        style="bold")
            for inf in armed.infractions:
                what = "DSQ" if inf.eliminates else format_penalty(inf.penalty_ns)
                text.append(f" {inf.hotkey} ", style="bold reverse")
                text.append("\u00a0" + f"{t.pick(inf.name_zh, inf.name_en)} {what}".replace(" ", "\u00a0") + "  ")
        self.update(text)
