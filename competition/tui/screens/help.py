"""``?`` Help: every key of every screen, in the current language, from the bindings themselves."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from competition.tui.i18n import STRINGS, Texts, localize_bindings


def _keys_of(bindings: list[Binding], tr: Texts) -> list[str]:
    seen: dict[str, list[str]] = {}
    for b in bindings:
        label = tr(b.description) if b.description in STRINGS else b.description
        key = b.key_display or b.key.replace("question_mark", "?").replace("slash", "/")
        seen.setdefault(label, [])
        if key not in seen[label]:
            seen[label].append(key)
    return [f"  [b]{', '.join(keys):<16}[/b] {label}" for label, keys in seen.items()]


def keymap_text(tr: Texts) -> str:
    """The whole keymap as text (also what docs/TUI.md lists)."""
    from competition.tui.app import TracksideApp
    from competition.tui.screens.checkin import CheckinScreen
    from competition.tui.screens.hardware import HardwareScreen
    from competition.tui.screens.journal import JournalScreen
    from competition.tui.screens.standings import StandingsScreen
    from competition.tui.screens.timing import TimingScreen

    parts = [f"[b]{tr('help.global')}[/b]", *_keys_of(list(TracksideApp.BINDINGS), tr),  # type: ignore[arg-type]
             "  [b]ctrl+p[/b]             " + tr("key.palette")]
    timing = [b for b in TimingScreen.BINDINGS if isinstance(b, Binding) and not b.id.startswith("timing.arm")]  # type: ignore[union-attr]
    parts += ["", f"[b]F1 {tr('screen.timing')}[/b]", "  " + tr("help.penalty"), "  " + tr("help.targets"),
              "  [b]0-9[/b]              " + tr("key.arm"), *_keys_of(timing, tr)]
    for fkey, name, screen in (("F2", "checkin", CheckinScreen), ("F3", "standings", StandingsScreen),
                               ("F4", "journal", JournalScreen), ("F5", "hardware", HardwareScreen)):
        parts += ["", f"[b]{fkey} {tr('screen.' + name)}[/b]",
                  *_keys_of([b for b in screen.BINDINGS if isinstance(b, Binding)], tr)]
    parts += _head_referee_keys(tr)
    return "\n".join(parts)


def _head_referee_keys(tr: Texts) -> list[str]:
    """F6 裁判长 and F7 纸质记录 (issue 15)."""
    from competition.tui.screens.paper import PaperScreen
    from competition.tui.screens.rounds import RoundsScreen

    parts: list[str] = []
    for fkey, name, screen in (("F6", "rounds", RoundsScreen), ("F7", "paper", PaperScreen)):
        parts += ["", f"[b]{fkey} {tr('screen.' + name)}[/b]",
                  *_keys_of([b for b in screen.BINDINGS if isinstance(b, Binding) and b.show], tr)]
    parts.insert(parts.index(f"[b]F7 {tr('screen.paper')}[/b]") + 1, "  " + tr("help.paper"))
    return parts


class HelpScreen(ModalScreen[None]):
    """The keymap; Escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "key.cancel", id="help.close")]

    def __init__(self, tr: Texts) -> None:
        super().__init__()
        self.tr = tr
        localize_bindings(self, tr)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Static(self.tr("help.title"), classes="dialog-title")
            yield Static(keymap_text(self.tr), id="keymap")

    def action_close(self) -> None:
        self.dismiss(None)
