"""What every timer protocol offers the supervisor, and the simulator's device model.

A :class:`Protocol` is stateless and shared; per-port state lives in the
:class:`~hardware.decoder.Decoder` it creates. A :class:`DeviceModel` is the
inverse: it encodes impulses the way the real device prints them and answers
the host's requests, so that each protocol's simulator and parser are written
side by side in one module and cannot drift apart.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from hardware.decoder import Decoder
from hardware.impulse import Channel, Impulse, RejectedFrame

NUMBERS_MODES = ("auto", "bib", "impulse")


class Protocol(ABC):
    """One timer protocol: its name, titles, serial settings and host commands.

    The objects in ``PROTOCOLS`` carry the manufacturer's factory defaults;
    :meth:`configured` returns a copy set the way one timer on one port is set
    (``--baud``, ``--rtscts``, ``--numbers``). ``numbers`` says what the rider
    number on the timer's lines means: ``bib`` the rider's start number (pair
    by it), ``impulse`` a counter (ignore it, pair first-in-first-out),
    ``auto`` let the decoder decide from the data where that is unambiguous.
    """

    name: str
    title_zh: str
    title_en: str
    baudrate: int
    rtscts: bool = False
    numbers: str = "auto"
    #: Other baud rates the device can be set to (the manual's list), for messages.
    other_baudrates: tuple[int, ...] = ()
    #: Where the defaults come from, shown in docs and on the hardware screen.
    settings_source: str = ""

    def configured(self, *, baudrate: int | None = None, rtscts: bool | None = None,
                   numbers: str | None = None) -> Protocol:
        """A copy of this protocol set for one port; None keeps the default."""
        clone = copy.copy(self)
        if baudrate is not None:
            clone.baudrate = baudrate
        if rtscts is not None:
            clone.rtscts = rtscts
        if numbers is not None:
            if numbers not in NUMBERS_MODES:
                raise ValueError(f"numbers must be one of {NUMBERS_MODES}, not {numbers!r}")
            clone.numbers = numbers
        return clone

    def settings_text(self) -> str:
        """``9600 8N1, RTS/CTS off, numbers auto`` for screens and logs."""
        return (f"{self.baudrate} 8N1, RTS/CTS {'on' if self.rtscts else 'off'}, numbers {self.numbers}"
                + (", ACK 0x06" if self.ack_after_frames() else ""))

    def ack_after_frames(self) -> bool:
        """True when this setting needs an acknowledgement after every frame."""
        return False

    @abstractmethod
    def new_decoder(self, device_id: str | None = None) -> Decoder:
        """Fresh per-port state. ``device_id`` tells two identical timers apart."""

    @abstractmethod
    def replay_request(self, after_seq: int | None) -> bytes | None:
        """Bytes that make the timer resend its memory, or None if it cannot."""

    def ack(self, impulse: Impulse | RejectedFrame) -> bytes | None:
        """Bytes to send after each frame the timer sent; None: no acknowledgement."""
        return None

    def __repr__(self) -> str:
        return f"<Protocol {self.name}>"


@dataclass(frozen=True, slots=True)
class SimulatedImpulse:
    """One impulse as the simulated device recorded it in its memory.

    ``device_time_ns`` is the raw device clock reading (time of day, or the
    wrapped ``millis()`` counter in ns), ``None`` for a host-stamped pad.
    ``virtual_ns`` is the simulator's own elapsed time when it fired.
    """

    protocol: str
    device: str
    seq: int
    channel: Channel
    channel_raw: str
    device_time_ns: int | None
    bib: int | None
    manual: bool
    virtual_ns: int
    rider: int | None = None
    bounce: bool = False


class DeviceModel(ABC):
    """How one kind of timer prints impulses and answers the host (for simulators)."""

    protocol: str
    #: "tod" for a time-of-day clock, "millis" for a wrapping millisecond counter.
    clock: str = "tod"
    resolution_ns: int
    seq_modulus: int = 10_000
    #: False when the line has no way to say "keypad" (Microgate Racetime2).
    manual_marker: bool = True
    has_checksum: bool = True

    @abstractmethod
    def channel_raw(self, channel: Channel, split_index: int, manual: bool) -> str:
        """The device's own name for a channel (``C0``, `` 1``, ``255``, ``S``)."""

    @abstractmethod
    def encode(self, imp: SimulatedImpulse, *, replayed: bool, corrupt_checksum: bool) -> bytes:
        """The exact line the device sends for ``imp`` (the parser's inverse)."""

    @abstractmethod
    def answer(self, request: bytes, memory: Sequence[SimulatedImpulse]) -> bytes:
        """Reply to one complete host line (without terminator); b"" to ignore it."""

    @abstractmethod
    def reboot_banner(self, device: str) -> bytes:
        """What the device prints when it powers up."""

    def device_id(self, boot: int) -> str:
        """The ``Impulse.device`` string the decoder will assign (boot matters for pads)."""
        return self.protocol
