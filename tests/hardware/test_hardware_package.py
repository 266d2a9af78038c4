"""Protocol registry, port listing, the simulate entry point, import hygiene."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import hardware.ports as ports_module
from hardware.ports import PortInfo, list_ports
from hardware.protocols import PROTOCOLS, UnknownProtocolError, get_protocol
from hardware.simulate_main import run_simulator_on_pty, seconds_to_ns

ROOT = Path(__file__).resolve().parents[2]


def test_registry_names_and_titles() -> None:
    assert set(PROTOCOLS) == {"alge", "timy", "tagheuer", "microgate", "farmtek", "raceamerica", "stackmat", "pad"}
    for name, proto in PROTOCOLS.items():
        assert proto.name == name and proto.title_zh and proto.title_en and proto.baudrate > 0
        assert get_protocol(name.upper()) is proto
        assert proto.new_decoder() is not proto.new_decoder()  # fresh state per port


def test_unknown_protocol_lists_valid_names() -> None:
    with pytest.raises(UnknownProtocolError) as err:
        get_protocol("summit")
    exc = err.value
    assert str(exc) == exc.message_zh and "summit" in exc.message_en
    for name in PROTOCOLS:
        assert name in exc.message_zh and name in exc.message_en


def test_device_id_separates_two_identical_timers() -> None:
    a = get_protocol("alge").new_decoder("alge:finish")
    [imp] = a.feed(b" 0012 C0  14:06:58.1029 00\r", 0)
    assert imp.device == "alge:finish"  # type: ignore[union-attr]


def test_list_ports_wraps_pyserial(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = [SimpleNamespace(device="/dev/ttyUSB1", description="FT232R", hwid="USB VID:PID=0403:6001"),
            SimpleNamespace(device="/dev/ttyS0", description=None, hwid=None)]
    monkeypatch.setattr(ports_module._list_ports, "comports", lambda: fake)
    assert list_ports() == [PortInfo("/dev/ttyS0", "", ""),
                            PortInfo("/dev/ttyUSB1", "FT232R", "USB VID:PID=0403:6001")]


def test_seconds_to_ns_is_exact() -> None:
    assert seconds_to_ns(0.1) == 100_000_000
    assert seconds_to_ns("2.5") == 2_500_000_000


def test_run_simulator_on_pty_plays_to_the_end(tmp_path: Path) -> None:
    lines: list[str] = []
    count = run_simulator_on_pty("pad", riders=2, gap_s=1, course_s=(2, 3), speed=200, linger_s=0,
                                 directory=str(tmp_path), start_now=True, out=lines.append)
    assert count >= 4
    assert str(tmp_path / "ttyTRACKSIDE0") in lines[0]
    assert not (tmp_path / "ttyTRACKSIDE0").exists()  # cleaned up


def test_run_simulator_on_pty_waits_for_a_reader_before_the_riders_start(tmp_path: Path) -> None:
    import threading
    import time

    import serial

    lines: list[str] = []
    counts: list[int] = []
    thread = threading.Thread(target=lambda: counts.append(run_simulator_on_pty(
        "pad", riders=2, gap_s=1, course_s=(2, 3), speed=200, linger_s=0.2, directory=str(tmp_path),
        bounce_probability=0, noise_probability=0, out=lines.append)), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not any("ttyTRACKSIDE0" in line for line in lines) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # 100 virtual seconds: without the wait every rider would be done by now
    assert not any(line.strip().startswith("#") for line in lines)  # nothing fired yet
    received = b""
    with serial.Serial(str(tmp_path / "ttyTRACKSIDE0"), 115200, timeout=0.2) as reader:
        try:
            while thread.is_alive() and time.monotonic() < deadline:
                received += reader.read(4096)
        except serial.SerialException:
            pass  # the simulator closed the pty when it was done
    thread.join(5)
    assert counts == [4]
    assert received.count(b"P,1,") == 4  # every impulse reached the late reader


def test_hardware_imports_nothing_of_ours_and_no_textual() -> None:
    code = (
        "import sys, importlib\n"
        "for m in ['hardware', 'hardware.supervisor', 'hardware.simulator', 'hardware.pty_port',"
        " 'hardware.tcp_port', 'hardware.simulate_main', 'hardware.ports', 'hardware.protocols']:\n"
        "    importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('competition', 'courses', 'results', 'textual')]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
