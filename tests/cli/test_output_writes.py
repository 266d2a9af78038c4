"""Writes that tell the truth (issue 16): regular targets only, disk full said as such,
award folders swapped whole even when the run is killed, staging tidied next time."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from main import cli
from results.output_files import OutputError, write_file_atomic, write_folder_atomic

ROOT = Path(__file__).resolve().parents[2]


def invoke(db: Path, *args: str, lang: str = "en") -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", str(db), "--lang", lang, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.output


@pytest.fixture
def event_db(tmp_path: Path) -> Path:
    db = tmp_path / "event.db"
    assert invoke(db, "init")[0] == 0
    return db


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_to_dev_full_is_refused_and_the_device_kept(event_db: Path, fmt: str) -> None:
    before = os.stat("/dev/full")
    code, out = invoke(event_db, "export", "--format", fmt, "--out", "/dev/full")
    assert code == 1 and "Exported" not in out and "not a regular file" in out
    after = os.stat("/dev/full")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert not [p for p in Path("/dev").iterdir() if p.name.startswith(".full.")]


@pytest.mark.skipif(not Path("/dev/stdout").is_symlink(), reason="no /dev/stdout link")
def test_export_to_dev_stdout_keeps_the_link(event_db: Path) -> None:
    link = os.readlink("/dev/stdout")
    code, out = invoke(event_db, "export", "--format", "csv", "--out", "/dev/stdout")
    assert code == 1 and "Exported" not in out
    assert Path("/dev/stdout").is_symlink() and os.readlink("/dev/stdout") == link


def test_export_onto_a_fifo_or_a_link_is_refused(event_db: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    code, out = invoke(event_db, "export", "--format", "csv", "--out", str(fifo))
    assert code == 1 and "not a regular file" in out
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    real = tmp_path / "real.csv"
    real.write_text("keep", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    code, out = invoke(event_db, "export", "--format", "csv", "--out", str(link))
    assert code == 1 and "link" in out
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "keep"


def test_export_into_a_missing_folder_says_so(event_db: Path, tmp_path: Path) -> None:
    code, out = invoke(event_db, "export", "--format", "csv", "--out", str(tmp_path / "nope" / "r.csv"))
    assert code == 1 and "parent folder does not exist" in out and "Traceback" not in out


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # openpyxl leaves its zip open on failure
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_on_a_full_disk_says_disk_full(event_db: Path, tmp_path: Path, fmt: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import results.output_files as output_files

    def full(fd: int) -> None:  # the data reaches the disk at fsync: a full disk fails there
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output_files.os, "fsync", full)
    target = tmp_path / f"results.{fmt}"
    code, out = invoke(event_db, "export", "--format", fmt, "--out", str(target))
    monkeypatch.undo()
    assert code == 1 and "disk is full" in out and "Traceback" not in out, out
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".results")]


def fill(folder: Path) -> Path:
    """Fill the filesystem of ``folder`` to the last byte."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for size in (65536, 4096, 512, 1):
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError:
                    break
    finally:
        os.close(fd)
    return filler


def _small_tmpfs(path: Path) -> bool:
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(path)],
                          capture_output=True)
    return done.returncode == 0


@pytest.fixture
def full_disk(tmp_path: Path):
    mount = tmp_path / "stick"
    if os.geteuid() != 0 or not _small_tmpfs(mount):
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield mount
    finally:
        import gc

        gc.collect()
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # openpyxl leaves its zip open on failure
def test_xlsx_export_onto_a_really_full_disk(event_db: Path, full_disk: Path) -> None:
    fill(full_disk)
    for fmt in ("xlsx", "csv"):
        code, out = invoke(event_db, "export", "--format", fmt, "--out", str(full_disk / f"r.{fmt}"), lang="zh")
        assert code == 1 and "磁盘空间已满" in out and "Traceback" not in out, out
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # openpyxl leaves its zip open on failure
def test_event_file_on_a_full_disk_says_disk_full(full_disk: Path, tmp_path: Path) -> None:
    db = full_disk / "event.db"
    assert invoke(db, "init")[0] == 0
    filler = fill(full_disk)
    sheet = tmp_path / "sheet.csv"
    from competition.registration.sample_sheet import make_clerk_csv

    make_clerk_csv(sheet, 300)
    code, out = invoke(db, "entrants", "import", str(sheet))
    assert code == 1 and "disk is full" in out and "I/O" not in out, out
    filler.unlink()
    code, out = invoke(db, "verify")
    assert code == 0, out


def test_write_file_atomic_refuses_a_device(tmp_path: Path) -> None:
    if not Path("/dev/null").exists():
        pytest.skip("no /dev/null")
    with pytest.raises(OutputError) as caught:
        write_file_atomic(Path("/dev/null"), lambda temp: temp.write_text("x"))
    assert "不是普通文件" in caught.value.message_zh
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


OLD = {"获奖名单.html": b"old list", "奖状.html": b"old certs", "index.html": b"old index"}
NEW = {"获奖名单.html": b"new list", "奖状.html": b"new certs", "index.html": b"new index"}


def _killed_during_swap(out: Path, kill_at: int) -> None:
    """Run write_folder_atomic in a child that SIGKILLs itself at the n-th os.replace."""
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        import results.output_files as of
        real = os.replace
        calls = [0]
        def replace(a, b):
            calls[0] += 1
            if calls[0] == {kill_at}:
                os.kill(os.getpid(), signal.SIGKILL)
            real(a, b)
        of.os.replace = replace
        of.write_folder_atomic(Path({str(out)!r}), {NEW!r})
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert done.returncode == -9, done.stderr


@pytest.mark.parametrize("kill_at", [1, 2])
def test_awards_killed_during_the_swap_never_mix_old_and_new(tmp_path: Path, kill_at: int) -> None:
    out = tmp_path / "颁奖"
    write_folder_atomic(out, OLD)
    (out / "主持词.txt").write_bytes(b"organizer's notes")
    _killed_during_swap(out, kill_at)
    if out.exists():  # killed before the old set was moved aside: the old set, whole
        assert {p.name: p.read_bytes() for p in out.iterdir()} == {**OLD, "主持词.txt": b"organizer's notes"}
    stale = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert stale  # the killed run left its staging (and maybe the old set) beside the folder
    write_folder_atomic(out, NEW)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {**NEW, "主持词.txt": b"organizer's notes"}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_set_aside_old_set_is_put_back_when_the_folder_is_missing(tmp_path: Path) -> None:
    from results.output_files import clean_stale_staging

    out = tmp_path / "颁奖"
    write_folder_atomic(out, OLD)
    _killed_during_swap(out, 2)  # killed after the old set was renamed aside
    assert not out.exists()
    clean_stale_staging(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == OLD
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_staging_of_a_live_process_is_left_alone(tmp_path: Path) -> None:
    from results.output_files import clean_stale_staging

    out = tmp_path / "颁奖"
    live = tmp_path / f".颁奖.{os.getppid()}.abc.tmp"
    live.mkdir()
    clean_stale_staging(out)
    assert live.exists()


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_export_onto_the_event_file_itself_is_refused(event_db: Path, suffix: str) -> None:
    # Found by the CLI fuzz: `export --out event.db` replaced the event with a CSV.
    before = event_db.read_bytes()
    code, out = invoke(event_db, "export", "--format", "csv", "--out", f"{event_db}{suffix}")
    assert code == 1 and "event file itself" in out
    assert event_db.read_bytes() == before
    assert invoke(event_db, "verify")[0] == 0


@pytest.mark.parametrize("command", ["awards", "sheets"])
def test_documents_into_the_event_files_folder_are_refused(event_db: Path, command: str) -> None:
    code, out = invoke(event_db, command, "--out", str(event_db.parent))
    assert code == 1 and "holds the event file" in out
    code, out = invoke(event_db, command, "--out", str(event_db.parent.parent))
    assert code == 1 and "holds the event file" in out
    assert invoke(event_db, "verify")[0] == 0


def test_a_folder_with_sub_folders_is_not_an_output_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "tax.pdf").write_bytes(b"%PDF")
    with pytest.raises(OutputError) as caught:
        write_folder_atomic(home, NEW)
    assert "sub-folders" in caught.value.message_en
    assert sorted(p.name for p in home.iterdir()) == ["Documents"]
