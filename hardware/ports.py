"""Which serial ports this computer has, for the hardware screen and ``--port``."""

from __future__ import annotations

from dataclasses import dataclass

from serial.tools import list_ports as _list_ports


@dataclass(frozen=True, slots=True)
class PortInfo:
    """One serial port: the name to open, a human description and the hardware id."""

    device: str
    description: str
    hwid: str


def list_ports() -> list[PortInfo]:
    """Every serial port pyserial can see, sorted by device name.

    USB adapters show their chip in ``hwid`` (``USB VID:PID=0403:6001`` is an
    FTDI), which helps tell the timer's cable from a phone charger.
    """
    found = [
        PortInfo(device=p.device, description=p.description or "", hwid=p.hwid or "")
        for p in _list_ports.comports()
    ]
    return sorted(found, key=lambda info: info.device)
