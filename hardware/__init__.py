"""Timers: framing, protocol parsers, the serial supervisor and simulators.

Emits :class:`~hardware.impulse.Impulse` objects and knows nothing of riders.
Imports nothing else of Trackside (only the standard library and pyserial).
See ``docs/HARDWARE.md``.
"""

from hardware.impulse import Channel, Impulse, RejectedFrame, device_elapsed_ns

__all__ = ["Channel", "Impulse", "RejectedFrame", "device_elapsed_ns"]
