"""Who gets a CPU first when the laptop is busy: the recorder before the screen (issue #13).

A host-stamped pad is timed by the moment the recorder's reader thread gets
the bytes: every millisecond it waits for a core is a millisecond on a rider's
time. On a two-core venue laptop the app redrawing 500 standings, the venue
server and a backup can all want a core at the moment a pad is slapped. So:

* the recorder process asks the kernel for a higher priority
  (``RECORDER_NICE``). Raising a priority needs the right to (root,
  ``CAP_SYS_NICE``, or an ``RLIMIT_NICE`` that allows it, e.g. from
  ``/etc/security/limits.conf``); without it the recorder keeps the normal
  one and says so in its first lines and in its health file;
* the app lowers its own (``SCREEN_NICE``) once it reads the timer through a
  recorder process (``trackside run --port``), which any user may do. The
  screen still gets all the CPU it wants while the recorder sleeps, which is
  nearly always; it only waits while an impulse is being recorded.

Linux/Unix nice values: lower is more urgent, 0 is the default.
"""

from __future__ import annotations

import os

RECORDER_NICE = -10  # what the recorder asks for
SCREEN_NICE = 5  # what the app gives itself beside a recorder process


def current_nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, 0)


def raise_recorder_priority(target: int = RECORDER_NICE) -> tuple[bool, int]:
    """Ask for ``target`` for this process; (raised, nice now). Never raises."""
    try:
        now = current_nice()
    except OSError:
        return False, 0
    if now <= target:
        return True, now
    try:
        os.setpriority(os.PRIO_PROCESS, 0, target)
    except OSError:
        return False, now  # not permitted: the normal priority stays
    return True, current_nice()


def restore_priority(nice: int) -> None:
    """Back to ``nice`` (a recorder run inside another program, e.g. a test, gives its priority back)."""
    try:
        if current_nice() != nice:
            os.setpriority(os.PRIO_PROCESS, 0, nice)
    except OSError:
        pass


def yield_to_recorder(target: int = SCREEN_NICE) -> int:
    """Lower this process (the app) to ``target`` if it runs more urgently than that; nice now."""
    try:
        now = current_nice()
        if now < target:
            os.setpriority(os.PRIO_PROCESS, 0, target)
        return current_nice()
    except OSError:
        return 0


def describe(raised: bool, nice: int, lang: str = "zh") -> str:
    """One line for the recorder's output."""
    if raised:
        return f"priority raised (nice {nice})" if lang == "en" else f"记录进程优先级已提高（nice {nice}）"
    return (f"priority not raised (nice {nice}; needs root, CAP_SYS_NICE or an RLIMIT_NICE that allows it)"
            if lang == "en" else f"未能提高记录进程优先级（nice {nice}；需要 root、CAP_SYS_NICE 或允许的 RLIMIT_NICE）")
