"""One port, one reader: the claim is on the device, not on the name it was opened by."""

from __future__ import annotations

import os
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest

from competition.recorder import PortClaim, PortInUse, port_identities
from hardware.protocols import get_protocol
from hardware.supervisor import PortStatus, PortSupervisor
from tests.hardware.test_supervisor import wait_for


@pytest.fixture
def pty_device() -> Iterator[str]:
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        yield os.ttyname(slave)
    finally:
        os.close(master)
        os.close(slave)


def _names(device: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    link = tmp_path / "serial-by-id-usb-FTDI_TTL232R-if00-port0"
    link.symlink_to(device)
    link2 = tmp_path / "chain"
    link2.symlink_to(link)
    monkeypatch.chdir(tmp_path)
    relative = os.path.relpath(device, tmp_path)
    return [device, str(link), str(link2), relative, "chain"]


def test_every_name_of_one_device_is_the_same_port(pty_device: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    names = _names(pty_device, tmp_path, monkeypatch)
    ids = {tuple(port_identities(n)) for n in names}
    assert len(ids) == 1
    (only,) = ids
    assert any(k.startswith("rdev:") for k in only)
    first = PortClaim(names[0])
    first.acquire()
    try:
        for other in names[1:]:
            with pytest.raises(PortInUse) as caught:
                PortClaim(other).acquire()
            assert str(os.getpid()) in caught.value.message("en")
    finally:
        first.release()
    again = PortClaim(names[-1])
    again.acquire()  # free again once released
    again.release()


def test_two_devices_are_two_ports(tmp_path: Path) -> None:
    m1, s1 = os.openpty()
    m2, s2 = os.openpty()
    try:
        a, b = PortClaim(os.ttyname(s1)), PortClaim(os.ttyname(s2))
        a.acquire()
        b.acquire()
        a.release()
        b.release()
    finally:
        for fd in (m1, s1, m2, s2):
            os.close(fd)


def test_the_opened_device_is_locked_against_a_second_reader_by_another_name(
        pty_device: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = _names(pty_device, tmp_path, monkeypatch)
    statuses: list[PortStatus] = []

    def make(url: str, sink: list[PortStatus]) -> PortSupervisor:
        return PortSupervisor(url, get_protocol("pad"), on_bytes=lambda c, t: None, on_frame=lambda f: None,
                              on_status=sink.append, backoff_initial_s=0.02, backoff_max_s=0.05)

    first = make(names[1], statuses)
    first.start()
    second_statuses: list[PortStatus] = []
    second = make(names[3], second_statuses)
    try:
        assert wait_for(lambda: first.status.online)
        second.start()
        assert wait_for(lambda: any(s.error_en and "in use" in s.error_en for s in second_statuses))
        assert not second.status.online
        first.stop()
        assert wait_for(lambda: second.status.online)  # the device is free again: the second one gets it
    finally:
        first.stop()
        second.stop()


def test_urls_are_compared_as_written() -> None:
    assert port_identities("socket://127.0.0.1:7000") == ["url:socket://127.0.0.1:7000"]


def test_loop_urls_of_two_processes_are_two_ports() -> None:
    """pyserial's loop:// is inside one process: another process's loop:// never blocks this one."""
    import subprocess
    import sys

    claim = PortClaim("loop://")
    claim.acquire()
    try:
        child = subprocess.run(
            [sys.executable, "-c",
             "from competition.port_claim import PortClaim; c = PortClaim('loop://'); c.acquire(); c.release(); print('ok')"],
            capture_output=True, text=True, timeout=60,
        )
        assert child.stdout.strip() == "ok", child.stderr
        assert port_identities("socket://127.0.0.1:7000") == ["url:socket://127.0.0.1:7000"]
    finally:
        claim.release()
