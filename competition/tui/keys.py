"""Keys that do not apply now: hidden from the footer, and a word on why when pressed.

Screens and the app implement ``why_not(action) -> str | None``; this mixin
turns it into ``check_action`` (hide the key) and, through ``on_key``, into a
notification when the referee presses a key that does nothing now, so a key
press never vanishes silently.
"""

from __future__ import annotations

from typing import Any

from textual import events


class ExplainsKeys:
    """Mixin for a Screen or the App; see the module docstring."""

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        """Why ``action`` does not apply now (shown to the referee), or None when it does."""
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.why_not(action, parameters) is None

    def explain_key(self, event: events.Key) -> bool:
        """Notify why the pressed key does nothing now; True if it was one of ours and blocked."""
        from textual.actions import parse
        from textual.widgets import Input

        node: Any = self
        if isinstance(node.app.focused, Input) and event.key != "enter":
            return False  # the field owns its editing keys (Delete, arrows, letters)
        for binding in node._bindings.key_to_bindings.get(event.key, ()):
            _, name, params = parse(binding.action)
            if "." in binding.action.split("(")[0]:
                continue
            reason = self.why_not(name, params)
            if reason is not None:
                node.app.notify(reason, severity="warning", timeout=3)
                event.stop()
                event.prevent_default()
                return True
        return False
