"""Impulse flags, dedupe keys and exact elapsed time on device clocks."""

from __future__ import annotations

from dataclasses import replace

from hardware.impulse import DAY_NS, MILLIS_MODULUS_NS, Channel, Impulse, device_elapsed_ns
from hardware.protocols import get_protocol


def _one(protocol: str, line: bytes) -> Impulse:
    items = get_protocol(protocol).new_decoder().feed(line, 123)
    assert len(items) == 1
    item = items[0]
    assert isinstance(item, Impulse), item
    return item


def test_elapsed_on_alge_reference_lines_is_exact() -> None:
    start = _one("alge", b" 0012 C0  14:06:58.1029 00\r")
    finish = _one("alge", b" 0012 C1  14:07:22.6153 00=8\r")
    # 14:07:22.6153 - 14:06:58.1029 = 24.5124 s
    assert device_elapsed_ns(start, finish) == 24_512_400_000


def test_elapsed_across_midnight_is_exact() -> None:
    start = _one("alge", b" 0001 C0  23:59:58.1234 00\r")
    finish = _one("alge", b" 0002 C1  00:00:03.0001 00\r")
    assert start.device_time_ns is not None and finish.device_time_ns is not None
    assert finish.device_time_ns < start.device_time_ns
    assert device_elapsed_ns(start, finish) == 4_876_700_000


def test_elapsed_across_midnight_tagheuer_hundred_thousandths() -> None:
    tag = get_protocol("tagheuer").new_decoder()
    from hardware.protocols.tagheuer import encode_line

    s = encode_line(prefix="TN", bib=None, seq=1, channel_raw="1", tod_ns=DAY_NS - 1_234_560_000)
    f = encode_line(prefix="TN", bib=None, seq=2, channel_raw="2", tod_ns=7_890_120_000)
    start, finish = tag.feed(s + f, 0)
    assert isinstance(start, Impulse) and isinstance(finish, Impulse)
    assert device_elapsed_ns(start, finish) == 9_124_680_000


def test_elapsed_across_millis_wrap_is_exact() -> None:
    dec = get_protocol("pad").new_decoder()
    from hardware.protocols.pad import encode_line

    s = encode_line(boot=3, seq=1, channel_raw="S", millis=2**32 - 300)
    f = encode_line(boot=3, seq=2, channel_raw="F", millis=496)
    start, finish = dec.feed(s + f, 0)
    assert isinstance(start, Impulse) and isinstance(finish, Impulse)
    assert start.clock_modulus_ns == MILLIS_MODULUS_NS
    # Unwrapped onto one timeline, and the modular difference is 796 ms.
    assert finish.device_time_ns is not None and start.device_time_ns is not None
    assert finish.device_time_ns > start.device_time_ns
    assert device_elapsed_ns(start, finish) == 796_000_000


def test_elapsed_none_across_devices_or_host_stamped() -> None:
    start = _one("alge", b" 0012 C0  14:06:58.1029 00\r")
    finish = _one("alge", b" 0012 C1  14:07:22.6153 00\r")
    assert device_elapsed_ns(start, replace(finish, device="alge:2")) is None
    assert device_elapsed_ns(start, replace(finish, device_time_ns=None)) is None
    pad = _one("pad", b"P,1,1,S,-,2E\n")
    assert pad.device_time_ns is None and pad.clock_modulus_ns is None
    assert device_elapsed_ns(pad, replace(pad, channel=Channel.FINISH)) is None


def test_usable_and_dedupe_key() -> None:
    imp = _one("alge", b" 0012 C0  14:06:58.1029 00\r")
    assert imp.usable
    assert not replace(imp, cleared=True).usable
    assert not replace(imp, bad_checksum=True).usable
    assert imp.dedupe_key() == ("alge", 12, "C0", 50_818_102_900_000)
    # The replayed copy of the same impulse has the same key.
    again = _one("alge", b"m0012 C0  14:06:58.1029 00\r")
    assert again.replayed and again.dedupe_key() == imp.dedupe_key()


def test_dedupe_key_ignores_unwrap_count() -> None:
    dec = get_protocol("pad").new_decoder()
    first = dec.feed(b"P,1,1,S,100,32\n", 0)[0]
    assert isinstance(first, Impulse)
    shifted = replace(first, device_time_ns=first.device_time_ns + MILLIS_MODULUS_NS)  # type: ignore[operator]
    assert shifted.dedupe_key() == first.dedupe_key()
