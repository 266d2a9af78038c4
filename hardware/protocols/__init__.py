"""The timer protocols Trackside reads, by name.

``PROTOCOLS`` maps the names used on the command line and in event files
("alge", "timy", "tagheuer", "microgate", "farmtek", "raceamerica",
"stackmat", "pad") to shared, stateless
:class:`~hardware.protocols.base.Protocol` objects carrying the factory
serial settings; ``Protocol.configured(...)`` gives one port's settings.
"""

from __future__ import annotations

from hardware.protocols import alge, farmtek, microgate, pad, raceamerica, stackmat, tagheuer
from hardware.protocols.base import NUMBERS_MODES, DeviceModel, Protocol, SimulatedImpulse

PROTOCOLS: dict[str, Protocol] = {
    alge.PROTOCOL.name: alge.PROTOCOL,
    alge.TIMY_PROTOCOL.name: alge.TIMY_PROTOCOL,
    tagheuer.PROTOCOL.name: tagheuer.PROTOCOL,
    microgate.PROTOCOL.name: microgate.PROTOCOL,
    farmtek.PROTOCOL.name: farmtek.PROTOCOL,
    raceamerica.PROTOCOL.name: raceamerica.PROTOCOL,
    stackmat.PROTOCOL.name: stackmat.PROTOCOL,
    pad.PROTOCOL.name: pad.PROTOCOL,
}


class UnknownProtocolError(ValueError):
    """A protocol name that Trackside does not know; lists the valid names."""

    def __init__(self, name: str) -> None:
        valid = ", ".join(PROTOCOLS)
        self.name = name
        self.message_zh = f"未知的计时协议 {name!r}（--protocol）；可用：{valid}"
        self.message_en = f"unknown timer protocol {name!r} (--protocol); valid: {valid}"
        super().__init__(self.message_zh)

    def __str__(self) -> str:
        return self.message_zh


def get_protocol(name: str) -> Protocol:
    """The protocol called ``name`` (case-insensitive); UnknownProtocolError otherwise."""
    key = name.strip().lower()
    try:
        return PROTOCOLS[key]
    except KeyError:
        raise UnknownProtocolError(name) from None


__all__ = ["NUMBERS_MODES", "PROTOCOLS", "DeviceModel", "Protocol", "SimulatedImpulse", "UnknownProtocolError",
           "get_protocol"]
