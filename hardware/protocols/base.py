"""What every timer protocol offers the supervisor, and the simulator's device model.

A :class:`Protocol` is stateless and shared; per-port state lives in the
:class:`~hardware.decoder.Decoder` it creates. A :class:`DeviceModel` is the
inverse: it encodes impulses the way the real device prints them and answers
the host's requests, so that each protocol's simulator and parser are written
side by side in one module and cannot drift apart.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from hardware.decoder import Decoder
from hardware.impulse import Channel, Impulse


class Protocol(ABC):
    """One timer protocol: its name, titles, default baud rate and host commands."""

    name: str
    title_zh: str
    title_en: str
    baudrate: int

    @abstractmethod
    def new_decoder(self, device_id: str | None = None) -> Decoder:
        """Fresh per-port state. ``device_id`` tells two identical timers apart."""

    @abstractmethod
    def replay_request(self, after_seq: int | None) -> bytes | None:
        """Bytes that make the timer resend its memory, or None if it cannot."""

    def ack(self, impulse: Impulse) -> bytes | None:
        """Bytes to send after each impulse; None: none of our protocols needs acks."""
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
