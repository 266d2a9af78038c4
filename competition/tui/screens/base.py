"""What every screen of the app shares: the app handle, following the event, the status bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.css.query import NoMatches
from textual.screen import Screen

from competition.tui.keys import ExplainsKeys
from competition.tui.messages import JournalChanged
from competition.tui.widgets.timer_status_bar import TimerStatusBar

if TYPE_CHECKING:
    from competition.tui.app import TracksideApp


class EventScreen(ExplainsKeys, Screen[None]):
    """A screen that shows the event: redraws when it changed while the screen was away."""

    def __init__(self) -> None:
        super().__init__()
        # The app's change counter this screen last drew; -1 = never drawn.
        self.generation = -1

    @property
    def trackside(self) -> TracksideApp:
        return cast("TracksideApp", self.app)

    def refresh_data(self) -> None:
        """Re-read the event and redraw (each screen its own)."""
        raise NotImplementedError

    def refresh_if_whole(self) -> bool:
        """``refresh_data``, unless the screen is mounted without its widgets (being taken down as the
        app closes, or not composed yet): then nothing is drawn and its generation stays behind, so it
        catches up when it is shown. True if it drew."""
        try:
            self.refresh_data()
        except NoMatches:
            self.generation = min(self.generation, self.trackside.generation - 1)
            return False
        return True

    def on_show(self) -> None:
        self._catch_up()

    def on_screen_resume(self) -> None:
        # Switching back to a screen (modes) fires ScreenResume, not Show: both must redraw.
        self._catch_up()

    def _catch_up(self) -> None:
        """Redraw from the event if it changed since this screen last drew."""
        if not self.is_mounted:
            return
        if self.generation != self.trackside.generation:
            self.refresh_if_whole()
        self.update_status()

    def on_journal_changed(self, message: JournalChanged) -> None:
        if self.is_current and self.is_mounted:
            self.refresh_if_whole()

    def update_status(self) -> None:
        if self.is_mounted:
            app = self.trackside
            # query, not query_one: while the screen is composed or torn down the bar may be absent.
            for bar in self.query(TimerStatusBar):
                bar.show_state(app.timer_state(), app.clock())
