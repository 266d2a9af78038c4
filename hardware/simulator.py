"""A timer simulator that behaves like the real box, on a virtual clock.

:class:`TimerSimulator` owns a device clock and a memory. It plays riders
through the course (several can be on course at once when the start gap is
shorter than the course time), with optional bounces (a second impulse on the
same channel a few ms later), noise lines and corrupted checksums. It answers
the host's replay requests from its memory exactly as the real device would,
using the protocol module's :class:`~hardware.protocols.base.DeviceModel`
(the encoder that is the inverse of that protocol's parser).

It never sleeps: time only moves when the caller calls :meth:`step` or
:meth:`advance_to`. Tests drive it directly; ``sim_playback`` paces it in real
time onto a pty or a TCP socket.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from hardware.impulse import DAY_NS, NS_PER_MS, NS_PER_SECOND, Channel
from hardware.protocols import get_protocol
from hardware.protocols.alge import AlgeDeviceModel
from hardware.protocols.base import DeviceModel, SimulatedImpulse
from hardware.protocols.farmtek import FarmTekDeviceModel
from hardware.protocols.microgate import MicrogateDeviceModel
from hardware.protocols.pad import MILLIS_MODULUS, PadDeviceModel
from hardware.protocols.raceamerica import RaceAmericaDeviceModel
from hardware.protocols.stackmat import StackMatDeviceModel
from hardware.protocols.tagheuer import TagHeuerDeviceModel

DEFAULT_START_TOD_NS = 10 * 3600 * NS_PER_SECOND  # 10:00:00
# Noise may hold any byte but a line end, so it makes its own rejected frame
# instead of corrupting the next real line.
_NOISE_BYTES = bytes(b for b in range(256) if b not in (0x0A, 0x0D))


@dataclass(frozen=True, slots=True, order=True)
class _Event:
    at_ns: int
    order: int
    channel: Channel
    split_index: int
    rider: int | None
    bounce: bool


def device_model_for(protocol_name: str, *, alge_checksum: bool = True, rei2: bool = False,
                     host_stamped: bool = False, start_numbers: bool = False, chrono: bool = True,
                     stackmat_gen: int = 4) -> DeviceModel:
    """The simulator's device model for a protocol name."""
    name = get_protocol(protocol_name).name
    if name in ("alge", "timy"):
        return AlgeDeviceModel(checksum=alge_checksum, start_numbers=start_numbers)
    if name == "tagheuer":
        return TagHeuerDeviceModel()
    if name == "microgate":
        return MicrogateDeviceModel(rei2=rei2)
    if name == "farmtek":
        return FarmTekDeviceModel(chrono=chrono)
    if name == "raceamerica":
        return RaceAmericaDeviceModel()
    if name == "stackmat":
        return StackMatDeviceModel(gen=stackmat_gen)
    return PadDeviceModel(host_stamped=host_stamped)


class TimerSimulator:
    """A simulated timer on a virtual clock (ns since the simulation began).

    ``course_ns`` is the (min, max) course time; each rider draws one from it.
    ``start_tod_ns`` sets the device's time of day at virtual 0 (put it just
    before midnight to cross it); ``millis_start`` does the same for a pad's
    ``millis()`` counter (put it near 2**32 to cross the wrap).
    """

    def __init__(
        self,
        protocol_name: str,
        *,
        riders: int = 10,
        gap_ns: int = 5 * NS_PER_SECOND,
        course_ns: tuple[int, int] = (20 * NS_PER_SECOND, 40 * NS_PER_SECOND),
        seed: int = 0,
        bounce_probability: float = 0.0,
        noise_probability: float = 0.0,
        bad_checksum_probability: float = 0.0,
        start_tod_ns: int = DEFAULT_START_TOD_NS,
        splits: int = 0,
        millis_start: int = 0,
        host_stamped: bool = False,
        type_bibs: bool = False,
        rei2: bool = False,
        alge_checksum: bool = True,
        first_event_ns: int = NS_PER_SECOND,
        start_numbers: bool = False,
        chrono: bool = True,
        stackmat_gen: int = 4,
    ) -> None:
        self.protocol = get_protocol(protocol_name).name
        self.model = device_model_for(self.protocol, alge_checksum=alge_checksum, rei2=rei2,
                                      host_stamped=host_stamped, start_numbers=start_numbers, chrono=chrono,
                                      stackmat_gen=stackmat_gen)
        self._rng = random.Random(seed)
        self._bounce_p = bounce_probability
        self._noise_p = noise_probability
        self._bad_p = bad_checksum_probability if self.model.has_checksum else 0.0
        self._start_tod_ns = start_tod_ns % DAY_NS
        self._millis_start = millis_start % MILLIS_MODULUS
        self._boot_virtual_ns = 0
        self._type_bibs = type_bibs
        self.virtual_ns = 0
        self.boot = 1
        self._seq = 0
        self._memory: list[SimulatedImpulse] = []
        self._sent: list[SimulatedImpulse] = []
        self._host_buf = bytearray()
        #: Every complete line the host sent (replay requests...), for tests.
        self.host_lines: list[bytes] = []
        self._events = self._schedule(riders, gap_ns, course_ns, splits, first_event_ns)

    # -- schedule ---------------------------------------------------------------
    def _schedule(self, riders: int, gap_ns: int, course_ns: tuple[int, int], splits: int,
                  first_ns: int) -> list[_Event]:
        lo, hi = course_ns
        events: list[_Event] = []
        order = 0

        def add(at: int, channel: Channel, split_index: int, rider: int) -> None:
            nonlocal order
            events.append(_Event(at, order, channel, split_index, rider, False))
            order += 1
            if self._bounce_p and self._rng.random() < self._bounce_p:
                extra = self._rng.randint(NS_PER_MS, 5 * NS_PER_MS)
                events.append(_Event(at + extra, order, channel, split_index, rider, True))
                order += 1

        for rider in range(riders):
            start = first_ns + rider * gap_ns + self._rng.randint(0, max(0, gap_ns // 10))
            course = self._rng.randint(lo, hi)
            add(start, Channel.START, 0, rider + 1)
            for k in range(splits):
                add(start + course * (k + 1) // (splits + 1), Channel.SPLIT, k, rider + 1)
            add(start + course, Channel.FINISH, 0, rider + 1)
        events.sort()
        return events

    # -- clock ------------------------------------------------------------------
    def device_time_ns(self) -> int | None:
        """The device clock now: time of day, ``millis()`` in ns, or None."""
        res = self.model.resolution_ns
        if self.model.clock == "tod":
            tod = (self._start_tod_ns + self.virtual_ns) % DAY_NS
            return tod - tod % res
        if self.model.clock == "millis":
            since_boot_ms = (self.virtual_ns - self._boot_virtual_ns) // NS_PER_MS
            return ((self._millis_start + since_boot_ms) % MILLIS_MODULUS) * NS_PER_MS
        return None

    # -- playing ----------------------------------------------------------------
    @property
    def done(self) -> bool:
        """True when every scheduled impulse has been emitted."""
        return not self._events

    def next_event_ns(self) -> int | None:
        """Virtual time of the next scheduled impulse, None when done."""
        return self._events[0].at_ns if self._events else None

    def step(self) -> bytes:
        """Advance to the next scheduled impulse and return the bytes it sends."""
        if not self._events:
            return b""
        event = self._events.pop(0)
        self.virtual_ns = max(self.virtual_ns, event.at_ns)
        return self._fire(event.channel, event.split_index, manual=False, rider=event.rider,
                          bounce=event.bounce, scheduled=True)

    def advance_to(self, virtual_ns: int) -> bytes:
        """Play every impulse due up to ``virtual_ns`` and move the clock there."""
        out = bytearray()
        while self._events and self._events[0].at_ns <= virtual_ns:
            out += self.step()
        self.virtual_ns = max(self.virtual_ns, virtual_ns)
        return bytes(out)

    def run_all(self) -> bytes:
        """Play everything that is left; the bytes of the whole session."""
        out = bytearray()
        while self._events:
            out += self.step()
        return bytes(out)

    def press(self, channel: Channel | str, *, manual: bool = False, split_index: int = 0) -> bytes:
        """The pad or photocell on ``channel`` fires now (not scheduled)."""
        return self._fire(Channel(channel), split_index, manual=manual, rider=None, bounce=False,
                          scheduled=False)

    def manual_impulse(self, channel: Channel | str, *, split_index: int = 0) -> bytes:
        """The operator presses the keypad key for ``channel`` now."""
        return self.press(channel, manual=True, split_index=split_index)

    def _fire(self, channel: Channel, split_index: int, *, manual: bool, rider: int | None,
              bounce: bool, scheduled: bool) -> bytes:
        self._seq += 1
        manual = manual and self.model.manual_marker
        imp = SimulatedImpulse(
            protocol=self.protocol,
            device=self.model.device_id(self.boot),
            seq=self._seq % self.model.seq_modulus,
            channel=channel,
            channel_raw=self.model.channel_raw(channel, split_index, manual),
            device_time_ns=self.device_time_ns(),
            bib=rider if (self._type_bibs and rider is not None) else None,
            manual=manual,
            virtual_ns=self.virtual_ns,
            rider=rider,
            bounce=bounce,
        )
        self._memory.append(imp)
        self._sent.append(imp)
        out = bytearray()
        if scheduled and self._noise_p and self._rng.random() < self._noise_p:
            out += self.noise()
        corrupt = bool(self._bad_p) and self._rng.random() < self._bad_p
        out += self.model.encode(imp, replayed=False, corrupt_checksum=corrupt)
        return bytes(out)

    def noise(self) -> bytes:
        """A line of electrical garbage (NULs and high bytes included)."""
        length = self._rng.randint(1, 24)
        junk = bytes(self._rng.choice(_NOISE_BYTES) for _ in range(length))
        return junk + b"\r\n"

    # -- host side --------------------------------------------------------------
    def receive(self, data: bytes) -> bytes:
        """Bytes from the host; returns the device's answer to complete lines."""
        self._host_buf += data
        out = bytearray()
        while True:
            cuts = [i for i in (self._host_buf.find(b"\r"), self._host_buf.find(b"\n")) if i >= 0]
            if not cuts:
                break
            end = min(cuts)
            line = bytes(self._host_buf[:end])
            del self._host_buf[: end + 1]
            if line:
                self.host_lines.append(line)
                out += self.model.answer(line, list(self._memory))
        return bytes(out)

    def reboot(self) -> bytes:
        """Power-cycle the device; returns its power-up banner.

        A pad loses its RAM memory, gets a new boot id and restarts ``seq`` and
        ``millis()``; ALGE / TAG / Microgate keep memory, counter and clock.
        """
        if isinstance(self.model, PadDeviceModel):
            self.boot += 1
            self.model.boot = self.boot
            self._seq = 0
            self._memory.clear()
            self._boot_virtual_ns = self.virtual_ns
            self._millis_start = 0
        return self.model.reboot_banner(self.model.device_id(self.boot))

    def sent_impulses(self) -> list[SimulatedImpulse]:
        """Every impulse the device emitted (bounces and presses included), in order."""
        return list(self._sent)

    def memory(self) -> list[SimulatedImpulse]:
        """What the device would replay now."""
        return list(self._memory)

