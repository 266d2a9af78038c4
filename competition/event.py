"""An open event: the store, its course and the round being ridden.

Every referee and organizer command takes an ``Event``. It is the one handle
the CLI, the app and the timing recorder hold; it knows nothing of the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date as date_cls
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused, EventFileError
from competition.eventfile import EventStore

if TYPE_CHECKING:
    from courses.schema import Course

FIRST_ROUND = "prelim"


class Event:
    """An event file opened for commands."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        if store.meta("course_toml") is None:
            raise EventFileError(
                f"{store.path} 还没有建立赛事。请先运行 `trackside init`。",
                f"{store.path} holds no event yet. Run `trackside init` first.",
            )
        from competition.round_states import official_round_guard

        store.guards.append(official_round_guard(store))

    @classmethod
    def open(
        cls, path: str | Path, *, operator: str = "", terminal: str | None = None,
        busy_notice: Callable[[], None] | None = None,
    ) -> Event:
        store = EventStore.open(path, terminal=terminal, operator=operator, busy_notice=busy_notice)
        try:
            return cls(store)
        except BaseException:
            store.close()
            raise

    @classmethod
    def create(
        cls,
        path: str | Path,
        *,
        title: str,
        course: Course,
        day: str | None = None,
        operator: str = "",
        terminal: str | None = None,
        demo: bool = False,
        organizer: str | None = None,
    ) -> Event:
        """Make a new event file. Refuses a file that already holds an event."""
        from courses.loader import course_to_toml

        store = EventStore.open(path, create=True, terminal=terminal, operator=operator)
        if store.meta("course_toml") is not None:
            existing = store.meta("title")
            store.close()
            raise EventFileError(
                f"{path} 已经是一个赛事文件（{existing}），不会覆盖。请用 --db 指定新文件。",
                f"{path} already holds an event; it is never overwritten. Name a new file with --db.",
            )
        store.record(
            "event_created",
            {
                "title": title,
                "date": day or date_cls.today().isoformat(),
                "course_toml": course_to_toml(course),
                "course_id": course.id,
                "round": FIRST_ROUND,
                **({"demo": True} if demo else {}),
                **({"organizer": organizer} if organizer else {}),
            },
        )
        return cls(store)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Event:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the event is ------------------------------------------------

    @property
    def title(self) -> str:
        return self.store.meta("title") or ""

    @property
    def day(self) -> str:
        return self.store.meta("date") or ""

    @property
    def course(self) -> Course:
        text = self.store.meta("course_toml") or ""
        cached = self.__dict__.get("_course")
        if cached is None or cached[0] != text:
            from courses.loader import parse_course_text

            cached = (text, parse_course_text(text, f"{self.store.path}#course"))
            self.__dict__["_course"] = cached
        course: Course = cached[1]
        return course

    @property
    def current_round(self) -> str:
        return self.store.meta("current_round") or FIRST_ROUND

    @property
    def organizer(self) -> str | None:
        """Who runs the event (printed on certificates), if given at ``init``."""
        return self.store.meta("organizer")

    @property
    def is_demo(self) -> bool:
        return self.store.meta("demo") == "1"

    @cached_property
    def path(self) -> str:
        return self.store.path

    def rounds(self) -> list[dict[str, Any]]:
        return self.store.query("SELECT * FROM rounds ORDER BY opened_seq")

    def require_round(self, round_code: str | None) -> str:
        """The round named, or the current one; refuses a round that was never opened."""
        code = round_code or self.current_round
        if not self.store.query("SELECT code FROM rounds WHERE code = ?", (code,)):
            opened = ", ".join(r["code"] for r in self.rounds())
            raise CommandRefused(
                f"轮次 {code} 尚未开始（已有：{opened}）。",
                f"Round {code} has not been opened (opened: {opened}).",
            )
        return code
