"""One line on the timer: port, protocol, online/offline, the recorder process, last impulse age, rejected lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widgets import Static

from competition.times import NS_PER_SECOND
from competition.tui.i18n import Texts


@dataclass(frozen=True)
class TimerState:
    """What the status bar shows; the app fills it from the recorder's messages."""

    url: str | None
    protocol: str | None
    track: int
    online: bool | None  # None: never connected yet
    error: str | None
    last_impulse_ns: int | None
    rejected: int
    operator: str
    title: str
    serving: str | None = None  # the venue server's address when `trackside serve` runs on this file
    # The recorder process (trackside run): ok | starting | hung | down; None for a reader thread in the app.
    recorder: str | None = None
    backlog: int | None = None  # impulses and bytes the recorder has not written yet


def format_age(ns: int) -> str:
    seconds = max(0, ns // NS_PER_SECOND)
    if seconds < 60:
        return f"{seconds}s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{s:02d}s"
    hours, m = divmod(minutes, 60)
    return f"{hours}h{m:02d}m"


def short_port(url: str) -> str:
    """``/tmp/x/ttyTRACKSIDE0`` -> ``ttyTRACKSIDE0``; URLs (socket://…) stay whole."""
    return url.rsplit("/", 1)[-1] if url.startswith("/") else url


class TimerStatusBar(Static):
    """The status line at the top of every screen."""

    def __init__(self, tr: Texts, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tr = tr
        self.state: TimerState | None = None
        self.online: bool | None = None

    def show_state(self, state: TimerState, now_ns: int) -> None:
        t = self.tr
        self.state = state
        self.online = state.online
        text = Text(no_wrap=True, overflow="ellipsis")
        # The online badge first: on a narrow terminal the end of the line is what gets cut.
        if state.url is None:
            text.append(f" {t('status.no_timer')} ", style="bold")
            self.set_class(False, "offline")
        elif state.recorder in ("down", "hung"):
            # Nobody reads the port: whatever the port did last is not the news.
            text.append(f" {t('status.recorder_' + state.recorder)} ", style="bold white on red")
            self.set_class(True, "offline")
        else:
            if state.online:
                text.append(f" {t('status.online')} ", style="bold black on green")
            elif state.online is None:
                text.append(f" {t('status.connecting')} ", style="bold black on yellow")
            else:
                text.append(f" {t('status.offline')} ", style="bold white on red")
            self.set_class(state.online is False, "offline")
        # The event title next: on a narrow terminal (80×24) it must not be what gets cut.
        text.append(f" {state.title} ", style="bold")
        if state.url is not None:
            text.append(f"│ {state.protocol} {short_port(state.url)}")
            if state.online is False and state.error:
                text.append(f" {state.error}", style="bold")
        text.append(f" │ {t('status.track', track=state.track)}")
        if state.recorder == "ok":
            text.append(f" │ {t('status.recorder_ok')} ")
            text.append(t("status.backlog", n=state.backlog or 0), style="bold" if state.backlog else "")
        elif state.recorder == "starting":
            text.append(f" │ {t('status.recorder_starting')}", style="bold")
        if state.last_impulse_ns is None:
            text.append(f" │ {t('status.no_impulse')}")
        else:
            text.append(f" │ {t('status.last_impulse', age=format_age(now_ns - state.last_impulse_ns))}")
        if state.rejected:
            text.append(f" │ {t('status.rejected', n=state.rejected)}", style="bold")
        if state.serving:
            text.append(f" │ {t('status.serving', url=state.serving)}")
        if state.operator:
            text.append(f" │ {t('status.operator', name=state.operator)}")
        self.update(text)
