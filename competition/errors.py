"""User-facing errors: every one carries a Chinese and an English message.

The CLI and the app show ``message_zh`` or ``message_en`` by the chosen
language; ``str(error)`` is the Chinese text. Errors say where and what.
"""

from __future__ import annotations


class TracksideError(Exception):
    """An error a user can act on (bad input, wrong state), never a bug."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.message_en = message_en

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_zh


class EventFileError(TracksideError):
    """The event file cannot be opened or written: missing, not SQLite, newer, locked."""


class CommandRefused(TracksideError):
    """A referee command that does not apply now (no rider on course, unknown bib, …).

    Nothing was recorded.
    """


def require_reason(reason: str) -> None:
    """Corrections and referee decisions are journaled with why; refuse an empty reason."""
    if not reason.strip():
        raise CommandRefused("此操作必须写明原因。", "This action needs a reason.")


def user_message(exc: BaseException, lang: str) -> str | None:
    """The user-facing text of any of our packages' errors (they share the two attributes)."""
    zh = getattr(exc, "message_zh", None)
    en = getattr(exc, "message_en", None)
    if zh is None and en is None:
        return None
    return str(en if lang == "en" and en else zh)
