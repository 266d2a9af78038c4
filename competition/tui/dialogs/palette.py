"""The command palette (ctrl+p) in the app's language: Textual's own prompt and "no matches" are English."""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from competition.tui.i18n import Texts


class LocalizedPalette(CommandPalette):
    """Textual's palette with the placeholder and the "no matches" line translated."""

    def __init__(self, tr: Texts) -> None:
        super().__init__(id="--command-palette", placeholder=tr("palette.placeholder"))
        self.tr = tr

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(self.tr("palette.no_matches"), style="not bold")), disabled=True,
                           id=self._NO_MATCHES)
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
