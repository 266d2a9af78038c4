"""The app and its recorder process: start or attach, watch the health file, restart, say so.

With ``TracksideApp(separate_recorder=True)`` (what ``trackside run`` builds)
``connect_timer`` gives the port to a ``competition.recorder_process.RecorderProcess``
instead of a reader thread in the app. Every poll, ``watch`` reads the
recorder's health file into the app's timer status (online/offline and the
port's error, rejected lines, last impulse, backlog) and, if the recorder
died or hangs, lets ``RecorderProcess.watch`` start a new one: the referee
gets a notification and a bell, and the journal a ``port_status`` row
(offline, why) so the hole in the recording is visible afterwards.
"""

from __future__ import annotations

import logging
from typing import Any

from competition.process_priority import yield_to_recorder
from competition.recorder_process import RecorderNews, RecorderProcess
from competition.times import NS_PER_SECOND
from competition.timing import record_port_status
from competition.tui.i18n import STRINGS
from hardware.supervisor import PortStatus

log = logging.getLogger(__name__)


def start(app: Any, url: str, protocol: str, track: int) -> RecorderProcess:
    """Start (or attach to) the recorder process of ``url`` on ``track``; raises TracksideError."""
    rec = RecorderProcess(app.event.path, url=url, protocol=protocol, track=track, operator=app.operator,
                          terminal=app.event.store.terminal, lang=app.lang)
    if rec.start_or_attach() == "attached":
        app.notify(app.tr("recorder.attached", pid=rec.pid), timeout=5)
    if getattr(app, "yield_cpu_to_recorder", False):
        log.info("the app runs at nice %s beside its recorder", yield_to_recorder())
    return rec


def watch(app: Any) -> None:
    """One look at the recorder (every poll): its health into the app, a dead one restarted."""
    rec = app.recorder
    if not isinstance(rec, RecorderProcess):
        return
    try:
        news = rec.watch()
    except Exception:  # the screen must survive whatever the process does
        log.exception("watching the recorder failed")
        return
    if news is not None:
        _tell(app, rec, news)
    health = rec.health()
    if health is None:
        return
    if health.online is None:
        app.timer_status = None
    else:
        app.timer_status = PortStatus(url=rec.url, protocol=rec.protocol.name, online=bool(health.online),
                                      since_ns=health.heartbeat_host_ns, error_zh=health.error_zh,
                                      error_en=health.error_en, reconnects=0)
    app.rejected_count = int(health.counts.get("rejected", 0))
    if health.last_impulse_host_ns is not None:
        app.last_impulse_ns = max(app.last_impulse_ns or 0, health.last_impulse_host_ns)


def _tell(app: Any, rec: RecorderProcess, news: RecorderNews) -> None:
    tr = app.tr
    if news.kind in ("died", "hung"):
        code = "?" if news.exit_code is None else (f"signal {-news.exit_code}" if news.exit_code < 0
                                                    else f"exit {news.exit_code}")
        why_en = ("recorder process hung; killed and restarted" if news.kind == "hung"
                  else f"recorder process ended ({code}); restarting")
        try:  # the hole in the recording, visible in the journal
            record_port_status(app.event, track=rec.track, url=rec.url, protocol=rec.protocol.name, online=False,
                               error=why_en)
        except Exception:
            log.exception("could not journal the recorder's end")
        _nobody_records(app, rec)
        text = (tr("recorder.hung", s=rec.hung_kill_ns // NS_PER_SECOND) if news.kind == "hung"
                else tr("recorder.died", code=code))
        if news.detail:
            text += f"\n{news.detail}"
        app.notify(text, severity="warning", timeout=10, markup=False)
        app.bell()
    elif news.kind == "failed":
        _nobody_records(app, rec)
        app.notify(tr("recorder.failed", detail=news.detail or "?"), severity="error", timeout=10, markup=False)


def _nobody_records(app: Any, rec: RecorderProcess) -> None:
    """The port counts as offline (alarm banner, bell) until a recorder says otherwise."""
    zh, en = STRINGS["recorder.down_error"]
    app.timer_status = PortStatus(url=rec.url, protocol=rec.protocol.name, online=False, since_ns=0, error_zh=zh,
                                  error_en=en, reconnects=0)


def status_fields(app: Any) -> dict[str, Any]:
    """What the status bar shows of the recorder process (nothing for an in-process recorder)."""
    rec = app.recorder
    if not isinstance(rec, RecorderProcess):
        return {}
    health = rec.health()
    if not rec.alive():
        return {"recorder": "down", "backlog": None}
    if health is None:
        return {"recorder": "starting", "backlog": None}
    if not health.fresh():
        return {"recorder": "hung", "backlog": health.backlog}
    return {"recorder": "ok", "backlog": health.backlog}
