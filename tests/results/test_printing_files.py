"""Writing a folder of documents: complete as a set or not at all, clear errors."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from urllib.parse import unquote

import pytest

from results import output_files
from results.documents import EventInfo
from results.output_files import OutputError, write_file_atomic
from results.printing import write_documents

EVENT = EventInfo("测试赛", "2026-11-28", "标准", "Standard", 10_000_000)
DOCS = {
    "获奖名单.html": "<p>获奖</p>",
    "奖状.html": "<p>奖状</p>",
    "成绩公告-初赛.html": "<p>初赛</p>",
}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_writes_every_document_and_an_index(tmp_path: Path) -> None:
    out = tmp_path / "颁奖"
    written = write_documents(out, DOCS, event=EVENT)
    assert [p.name for p in written] == [*DOCS, "index.html"]
    for name, html in DOCS.items():
        assert (out / name).read_text(encoding="utf-8") == html
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "测试赛" in index
    hrefs = [unquote(part.split('"', 1)[0]) for part in index.split('href="')[1:]]
    assert hrefs == list(DOCS)
    assert leftovers(tmp_path) == [] and leftovers(out) == []
    assert oct(out.stat().st_mode & 0o777) == "0o755"


def test_rewrite_replaces_ours_and_keeps_foreign_files(tmp_path: Path) -> None:
    out = tmp_path / "颁奖"
    write_documents(out, DOCS, event=EVENT)
    (out / "主持词.docx").write_text("organizer's own", encoding="utf-8")
    write_documents(out, {**DOCS, "获奖名单.html": "<p>新名单</p>"}, event=EVENT)
    assert (out / "获奖名单.html").read_text(encoding="utf-8") == "<p>新名单</p>"
    assert (out / "主持词.docx").read_text(encoding="utf-8") == "organizer's own"
    assert (out / "index.html").exists()
    assert leftovers(tmp_path) == [] and leftovers(out) == []


def test_out_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "颁奖"
    out.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        write_documents(out, DOCS, event=EVENT)
    assert caught.value.path == out
    assert "不是文件夹" in caught.value.message_zh and str(out) in caught.value.message_zh
    assert "not a folder" in caught.value.message_en
    assert str(caught.value) == caught.value.message_zh
    assert out.read_text(encoding="utf-8") == "not a folder"


def test_disk_full_midway_leaves_no_final_named_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "颁奖"
    real_fsync = os.fsync
    calls = {"n": 0}

    def failing_fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the second document hits a full disk
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(output_files.os, "fsync", failing_fsync)
    with pytest.raises(OutputError) as caught:
        write_documents(out, DOCS, event=EVENT)
    assert "磁盘空间已满" in caught.value.message_zh and "disk is full" in caught.value.message_en
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # the staging folder is gone too


def test_failure_keeps_the_previous_complete_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "颁奖"
    write_documents(out, DOCS, event=EVENT)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def failing_fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output_files.os, "fsync", failing_fsync)
    with pytest.raises(OutputError):
        write_documents(out, {k: "<p>half</p>" for k in DOCS}, event=EVENT)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert leftovers(tmp_path) == []


def test_unwritable_parent_gives_output_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> str:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(output_files.tempfile, "mkdtemp", refuse)
    with pytest.raises(OutputError) as caught:
        write_documents(tmp_path / "颁奖", DOCS)
    assert "没有写入权限" in caught.value.message_zh
    assert "permission denied" in caught.value.message_en
    assert not (tmp_path / "颁奖").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_folder_gives_output_error(tmp_path: Path) -> None:
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        with pytest.raises(OutputError) as caught:
            write_documents(parent / "颁奖", DOCS)
        assert "没有写入权限" in caught.value.message_zh
    finally:
        parent.chmod(0o700)


def test_bad_document_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError):
        write_documents(tmp_path / "out", {"../escape.html": "x"})
    assert not (tmp_path / "escape.html").exists() and not (tmp_path / "out").exists()


def test_single_file_write_failure_keeps_old_file(tmp_path: Path) -> None:
    target = tmp_path / "成绩.csv"
    target.write_text("old", encoding="utf-8")

    def write_then_fail(temp: Path) -> None:
        temp.write_text("partial", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError) as caught:
        write_file_atomic(target, write_then_fail)
    assert caught.value.path == target
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["成绩.csv"]
