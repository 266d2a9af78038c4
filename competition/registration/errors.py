"""The one exception a registration sheet raises when the whole file is unusable."""

from __future__ import annotations


class RegistrationError(Exception):
    """The file as a whole cannot be read as a registration sheet.

    Row-level problems never raise: they come back as ``RejectedRow`` in the
    ``SheetReading``. This is for the file itself: not a spreadsheet, encrypted
    or old ``.xls``, empty, unreadable encoding, no header row, a required
    column missing, an unknown sheet name. ``str(exc)`` is the Chinese text;
    both texts start with the file so the organizer knows WHERE.
    """

    def __init__(self, path: str, message_zh: str, message_en: str) -> None:
        self.path = path
        self.message_zh = f"{path}：{message_zh}"
        self.message_en = f"{path}: {message_en}"
        super().__init__(self.message_zh)

    def __str__(self) -> str:
        return self.message_zh
