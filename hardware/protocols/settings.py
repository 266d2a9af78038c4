"""Serial settings chosen on the command line for one port (``--baud``, ``--rtscts``, ``--numbers``).

``trackside run`` hands the app only a port and a protocol name; the settings
for that port are remembered here, and :class:`competition.recorder.TimingRecorder`
applies them (:func:`for_port`) whenever it opens that port by protocol name.
``timing listen`` / ``timing replay`` pass a configured protocol directly.
"""

from __future__ import annotations

import threading
from typing import Any

from hardware.protocols.base import NUMBERS_MODES, Protocol

COMMON_BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
_lock = threading.Lock()
_by_url: dict[str, dict[str, Any]] = {}


class BadSerialSetting(ValueError):
    """A ``--baud`` / ``--numbers`` value Trackside cannot use; zh/en message."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh)
        self.message_zh, self.message_en = zh, en


def check(*, baudrate: int | None, numbers: str | None) -> None:
    if baudrate is not None and baudrate not in COMMON_BAUDRATES:
        rates = ", ".join(map(str, COMMON_BAUDRATES))
        raise BadSerialSetting(f"--baud {baudrate} 不是计时器使用的波特率（可用：{rates}）",
                               f"--baud {baudrate} is not a timer baud rate (valid: {rates})")
    if numbers is not None and numbers not in NUMBERS_MODES:
        valid = "|".join(NUMBERS_MODES)
        raise BadSerialSetting(f"--numbers 必须是 {valid}（收到 {numbers}）", f"--numbers must be {valid} (got {numbers})")


def remember(url: str, *, baudrate: int | None = None, rtscts: bool | None = None, numbers: str | None = None) -> None:
    """Settings for ``url`` from now on in this process (None: the protocol's default)."""
    check(baudrate=baudrate, numbers=numbers)
    with _lock:
        _by_url[url] = {"baudrate": baudrate, "rtscts": rtscts, "numbers": numbers}


def remembered(url: str) -> dict[str, Any]:
    """What was remembered for ``url`` (baudrate, rtscts, numbers; None for each default)."""
    with _lock:
        return dict(_by_url.get(url, {"baudrate": None, "rtscts": None, "numbers": None}))


def forget(url: str) -> None:
    with _lock:
        _by_url.pop(url, None)


def for_port(url: str, protocol: Protocol) -> Protocol:
    """``protocol`` as set for ``url`` (unchanged when nothing was remembered)."""
    with _lock:
        chosen = dict(_by_url.get(url, {}))
    if not any(v is not None for v in chosen.values()):
        return protocol
    return protocol.configured(**chosen)


def configured(name: str, *, baudrate: int | None = None, rtscts: bool | None = None,
               numbers: str | None = None) -> Protocol:
    """The protocol ``name`` with these settings (UnknownProtocolError / BadSerialSetting otherwise)."""
    from hardware.protocols import get_protocol

    check(baudrate=baudrate, numbers=numbers)
    return get_protocol(name).configured(baudrate=baudrate, rtscts=rtscts, numbers=numbers)
