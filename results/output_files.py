"""Writing output files so that a half-written file never carries a final name.

Every writer goes to a temporary name beside the target, is flushed to disk,
then renamed into place with ``os.replace`` (atomic on one filesystem). A folder
of documents is written the same way as a set and swapped in whole: the
organizer who opens ``颁奖/index.html`` sees either the previous complete set or
the new one, even if the run is killed midway. Only regular files are replaced.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from competition.durable import fsync_folder
from competition.errors import TracksideError

INDEX_FILE = "index.html"


class OutputError(TracksideError):
    """An output file or folder cannot be written; ``path`` says which one."""

    def __init__(self, message_zh: str, message_en: str, path: Path | str) -> None:
        super().__init__(message_zh, message_en)
        self.path = Path(path)


def os_reason(exc: OSError) -> tuple[str, str]:
    """Why an OSError happened, in the reader's words (zh, en)."""
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
        errno.ENAMETOOLONG: ("文件名太长", "the file name is too long"),
        errno.ELOOP: ("链接循环", "a loop of links"),
    }
    return reasons.get(exc.errno or 0, (exc.strerror or str(exc), exc.strerror or str(exc)))


def output_error(exc: OSError, path: Path, what_zh: str, what_en: str) -> OutputError:
    """Turn an OSError into a bilingual OutputError naming the path and the reason."""
    reason_zh, reason_en = os_reason(exc)
    return OutputError(
        f"无法写入{what_zh}：{path}（{reason_zh}）",
        f"Cannot write {what_en}: {path} ({reason_en})",
        path,
    )


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def refuse_non_regular(path: Path, what_zh: str, what_en: str) -> None:
    """Outputs replace only regular files: never a device, pipe, socket, folder or link.

    ``os.replace`` onto ``/dev/full`` would swap the device node for a regular
    file (as root) and report success; a link would be replaced, not followed.
    """
    if path.is_symlink():
        raise OutputError(
            f"无法写入{what_zh}：{path}（这是一个链接，不会替换它；请写明真正的文件路径）",
            f"Cannot write {what_en}: {path} (it is a link; it is not replaced — name the real file)",
            path,
        )
    if path.is_dir():
        raise OutputError(
            f"无法写入{what_zh}：{path}（已有同名文件夹）",
            f"Cannot write {what_en}: {path} (a folder of that name exists)",
            path,
        )
    if path.exists() and not path.is_file():
        raise OutputError(
            f"无法写入{what_zh}：{path}（这不是普通文件，而是设备、管道或套接字；请写到一个文件夹中的文件）",
            f"Cannot write {what_en}: {path} (not a regular file but a device, pipe or socket; "
            "name a file in a folder)",
            path,
        )


def write_file_atomic(path: Path, write: Callable[[Path], None], what_zh: str = "文件", what_en: str = "file") -> Path:
    """Call ``write(temp_path)`` then move the finished file to ``path``.

    On any failure the temporary file is removed and ``path`` is untouched (the
    previous version, if any, stays whole). Only a regular file (or nothing) is
    ever replaced. Raises OutputError; a full disk says the disk is full.
    """
    path = Path(path)
    parent = path.parent
    try:
        refuse_non_regular(path, what_zh, what_en)
        if not parent.is_dir():
            raise OSError(errno.ENOENT, "No such file or directory")
    except OSError as exc:  # a name too long, a loop of links, …
        raise output_error(exc, path, what_zh, what_en) from exc
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
        refuse_non_regular(path, what_zh, what_en)  # nothing appeared in its place meanwhile
        os.replace(temp, path)
        fsync_folder(parent)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise output_error(exc, path, what_zh, what_en) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def clean_stale_staging(out_dir: Path) -> None:
    """Tidy what a killed earlier run left beside ``out_dir``.

    Staging folders are named ``.<name>.<pid>.<random>.tmp`` and set-aside old
    sets ``.<name>.<pid>.<random>.old``; those of a process that is gone are
    removed, except an old set whose folder is missing (killed between the two
    renames of the swap): it is put back, so the last complete set is never lost.
    """
    parent = out_dir.absolute().parent
    prefix = f".{out_dir.name}."
    try:
        entries = sorted(parent.iterdir())
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not name.startswith(prefix) or not (name.endswith(".tmp") or name.endswith(".old")):
            continue
        middle = name[len(prefix):-4].split(".")
        if not middle or not middle[0].isdigit() or _pid_alive(int(middle[0])):
            continue
        if not entry.is_dir() or entry.is_symlink():
            continue
        if name.endswith(".old") and not out_dir.exists():
            try:
                os.replace(entry, out_dir)
                continue
            except OSError:
                pass
        shutil.rmtree(entry, ignore_errors=True)


def _carry_over(old: Path, staging: Path, names: Mapping[str, bytes]) -> None:
    """Hard-link (or copy) every entry of the old folder that the new set does not replace."""
    for entry in old.iterdir():
        if entry.name in names:
            continue
        target = staging / entry.name
        if entry.is_symlink():
            os.symlink(os.readlink(entry), target)
        else:
            _link_or_copy(str(entry), str(target))


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def write_folder_atomic(out_dir: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write a set of files into ``out_dir`` so the set appears complete or not at all.

    Everything is written into a staging folder beside ``out_dir`` first. If
    ``out_dir`` already holds files (an earlier run, the organizer's own notes),
    those the new set does not replace are hard-linked into the staging folder
    (a folder with sub-folders is refused: it is not an output folder);
    then the old folder is renamed aside, the staging folder renamed in, and the
    old one removed. A run killed at any point leaves either the old complete
    set or the new one under ``out_dir`` (never a mix); what it left beside it is
    tidied by the next run. Raises OutputError; on failure nothing changes.
    """
    out_dir = Path(out_dir)
    for name in files:
        if not name or "/" in name or "\\" in name or name in {".", ".."} or "\0" in name:
            raise OutputError(
                f"输出文件名无效：{name!r}", f"Invalid output file name: {name!r}", out_dir / name
            )
    try:
        not_a_folder = out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir())
    except OSError as exc:
        raise output_error(exc, out_dir, "输出文件夹", "the output folder") from exc
    if not_a_folder:
        raise OutputError(
            f"无法写入输出文件夹：{out_dir}（这是一个文件，不是文件夹）",
            f"Cannot write the output folder: {out_dir} (it is a file, not a folder)",
            out_dir,
        )
    out_dir = out_dir.absolute()
    try:
        crowded = out_dir.is_dir() and any(e.is_dir() and not e.is_symlink() for e in out_dir.iterdir())
    except OSError as exc:
        raise output_error(exc, out_dir, "输出文件夹", "the output folder") from exc
    if crowded:
        # Documents are a flat set; a folder with sub-folders is someone's own (a home folder, a USB stick).
        raise OutputError(
            f"输出文件夹 {out_dir} 里有子文件夹，不像 Trackside 的输出文件夹；请另选一个新的或空的文件夹",
            f"The output folder {out_dir} holds sub-folders and is not one Trackside wrote; "
            "name a new or empty folder",
            out_dir,
        )
    parent = out_dir.parent
    tag = f".{out_dir.name}.{os.getpid()}."
    try:
        parent.mkdir(parents=True, exist_ok=True)
        clean_stale_staging(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=tag, suffix=".tmp", dir=parent))
    except OSError as exc:
        raise output_error(exc, out_dir, "输出文件夹", "the output folder") from exc
    ordered = sorted(files, key=lambda n: n == INDEX_FILE)  # index.html last
    aside: Path | None = None
    try:
        for name, data in files.items():
            target = staging / name
            with open(target, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(staging, 0o755)  # mkdtemp makes 0700; the folder is meant to be shared
        if out_dir.exists():
            _carry_over(out_dir, staging, files)
            aside = Path(f"{staging}"[: -len(".tmp")] + ".old")
            os.replace(out_dir, aside)
        os.replace(staging, out_dir)
        fsync_folder(parent)
    except OSError as exc:
        if aside is not None and aside.exists() and not out_dir.exists():
            os.replace(aside, out_dir)
        shutil.rmtree(staging, ignore_errors=True)
        raise output_error(exc, out_dir, "输出文件夹", "the output folder") from exc
    except BaseException:
        if aside is not None and aside.exists() and not out_dir.exists():
            os.replace(aside, out_dir)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)
    return [out_dir / name for name in ordered]
