"""Writing output files so that a half-written file never carries a final name.

Every writer goes to a temporary name beside the target, is flushed to disk,
then renamed into place with ``os.replace`` (atomic on one filesystem). A folder
of documents is written the same way as a set: the organizer who opens
``颁奖/index.html`` sees either the previous complete set or the new one.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from competition.errors import TracksideError

INDEX_FILE = "index.html"


class OutputError(TracksideError):
    """An output file or folder cannot be written; ``path`` says which one."""

    def __init__(self, message_zh: str, message_en: str, path: Path | str) -> None:
        super().__init__(message_zh, message_en)
        self.path = Path(path)


def output_error(exc: OSError, path: Path, what_zh: str, what_en: str) -> OutputError:
    """Turn an OSError into a bilingual OutputError naming the path and the reason."""
    reasons = {
        errno.EACCES: ("没有写入权限", "permission denied"),
        errno.EPERM: ("没有写入权限", "permission denied"),
        errno.ENOSPC: ("磁盘空间已满", "the disk is full"),
        errno.EDQUOT: ("磁盘配额已满", "disk quota exceeded"),
        errno.EROFS: ("磁盘是只读的", "the disk is read-only"),
        errno.ENOTDIR: ("路径中有同名文件而不是文件夹", "a file is in the way of a folder"),
        errno.EEXIST: ("已有同名文件", "a file of that name already exists"),
        errno.EISDIR: ("已有同名文件夹", "a folder of that name already exists"),
        errno.ENOENT: ("上级文件夹不存在", "the parent folder does not exist"),
    }
    reason_zh, reason_en = reasons.get(
        exc.errno or 0, (exc.strerror or str(exc), exc.strerror or str(exc))
    )
    return OutputError(
        f"无法写入{what_zh}：{path}（{reason_zh}）",
        f"Cannot write {what_en}: {path} ({reason_en})",
        path,
    )


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def write_file_atomic(path: Path, write: Callable[[Path], None], what_zh: str = "文件", what_en: str = "file") -> Path:
    """Call ``write(temp_path)`` then move the finished file to ``path``.

    On any failure the temporary file is removed and ``path`` is untouched (the
    previous version, if any, stays whole). Raises OutputError.
    """
    path = Path(path)
    parent = path.parent
    if path.is_dir():
        raise OutputError(
            f"无法写入{what_zh}：{path}（已有同名文件夹）",
            f"Cannot write {what_en}: {path} (a folder of that name exists)",
            path,
        )
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise output_error(exc, path, what_zh, what_en) from exc
    os.close(fd)
    temp = Path(temp_name)
    try:
        write(temp)
        _fsync_file(temp)
        os.chmod(temp, 0o644)  # mkstemp makes 0600; outputs are meant to be shared
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise output_error(exc, path, what_zh, what_en) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path


def write_folder_atomic(out_dir: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write a set of files into ``out_dir`` so the set appears complete or not at all.

    Everything is written into a temporary folder beside ``out_dir`` first. If
    ``out_dir`` does not exist (or is empty) the folder is renamed into place in
    one step. If it already holds files (an earlier run, the organizer's own
    notes) the old ``index.html`` is removed first, each file is moved in with
    ``os.replace``, and ``index.html`` last: a folder with an index is a complete
    set. Files of ours not in this set and foreign files are left alone.
    Raises OutputError; on failure no half-written file has a final name.
    """
    out_dir = Path(out_dir)
    for name in files:
        if not name or "/" in name or "\\" in name or name in {".", ".."}:
            raise OutputError(
                f"输出文件名无效：{name!r}", f"Invalid output file name: {name!r}", out_dir / name
            )
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(
            f"无法写入输出文件夹：{out_dir}（这是一个文件，不是文件夹）",
            f"Cannot write the output folder: {out_dir} (it is a file, not a folder)",
            out_dir,
        )
    parent = out_dir.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise output_error(exc, out_dir, "输出文件夹", "the output folder") from exc
    try:
        for name, data in files.items():
            target = staging / name
            with open(target, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(staging, 0o755)  # mkdtemp makes 0700; the folder is meant to be shared
        ordered = sorted(files, key=lambda n: n == INDEX_FILE)  # index.html last
        if not out_dir.exists() or not any(out_dir.iterdir()):
            if out_dir.exists():
                out_dir.rmdir()
            os.replace(staging, out_dir)
        else:
            (out_dir / INDEX_FILE).unlink(missing_ok=True)
            for name in ordered:
                os.replace(staging / name, out_dir / name)
            staging.rmdir()
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise output_error(exc, out_dir, "输出文件夹", "the output folder") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out_dir / name for name in ordered]
