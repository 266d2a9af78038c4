"""The penalty keys: who calls go to, then segments with their digits or the armed segment's infractions."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from competition.times import format_penalty
from competition.tui.i18n import Texts
from courses.schema import Course, Segment

COLUMN = 21  # cells per infraction in the armed grid (the side panel is 44 wide inside)


def _keep_together(text: str) -> str:
    """Non-breaking spaces: a wrapped line never splits a key from its label (CJK wraps anywhere)."""
    return text.replace(" ", "\u00a0")


class PenaltyPanel(Static):
    """Shows who a call goes to and which keys call what, right now."""

    def __init__(self, tr: Texts, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tr = tr
        self.target_line = ""

    def show_keys(self, course: Course, armed: Segment | None, target_line: str, has_target: bool) -> None:
        t = self.tr
        self.target_line = target_line
        text = Text()
        text.append(target_line + "\n", style="bold reverse" if has_target else "bold")
        if armed is None:
            self.set_class(False, "armed")
            text.append(t("timing.segments_hint") + "\n")
            for seg in course.all_segments():
                text.append(f" {seg.hotkey} ", style="bold reverse")
                text.append(_keep_together("\u00a0" + t.pick(seg.name_zh, seg.name_en)) + "  ")
        else:
            self.set_class(True, "armed")
            text.append(t("timing.armed", key=armed.hotkey, name=t.pick(armed.name_zh, armed.name_en)) + "\n",
                        style="bold")
            # A grid of two columns (one when a label is long): a CJK name never wraps away from its letter.
            labels = [f"\u00a0{t.pick(inf.name_zh, inf.name_en)} {'DSQ' if inf.eliminates else format_penalty(inf.penalty_ns)}"
                      for inf in armed.infractions]
            per_line = 2 if max(cell_len(label) for label in labels) <= COLUMN - 4 else 1
            for i, (inf, label) in enumerate(zip(armed.infractions, labels, strict=True)):
                text.append(f" {inf.hotkey} ", style="bold reverse")
                last_in_line = (i + 1) % per_line == 0 or i == len(labels) - 1
                pad = "" if last_in_line else "\u00a0" * max(1, COLUMN - 3 - cell_len(label))
                text.append(_keep_together(label) + pad + ("\n" if last_in_line else ""))
        self.update(text)
