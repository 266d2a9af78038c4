"""``trackside serve``: bind where the organizer says, print the addresses and a QR code, run.

The socket is bound here (not inside uvicorn) so a port already in use is
one clear sentence, and so tests can ask for port 0 and learn the port.
"""

from __future__ import annotations

import logging
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from competition.errors import TracksideError
from competition.venue_status import local_addresses


class ServeError(TracksideError):
    pass


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServeError(
            f"无法在 {host}:{port} 上提供服务：{exc.strerror}（端口被占用？换一个 --port）。",
            f"Cannot serve on {host}:{port}: {exc.strerror} (port in use? try another --port).",
        ) from exc
    sock.listen(512)
    sock.set_inheritable(True)
    return sock


def urls_for(host: str, port: int) -> list[str]:
    if host in ("0.0.0.0", "::", ""):
        return [f"http://{a}:{port}/" for a in local_addresses()] + [f"http://127.0.0.1:{port}/"]
    shown = f"[{host}]" if ":" in host else host
    return [f"http://{shown}:{port}/"]


def terminal_qr(url: str) -> str:
    """A QR code of ``url`` drawn with block characters for the terminal."""
    import io

    import segno

    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()


class _OneLine(logging.Formatter):
    """Console lines without tracebacks: those go to the log file beside the event file."""

    def __init__(self, log_path: Path) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S")
        self.log_path = log_path

    def format(self, record: logging.LogRecord) -> str:
        text = f"{self.formatTime(record, self.datefmt)} {record.levelname} {record.getMessage()}"
        return text + (f" (details: {self.log_path})" if record.exc_info else "")


def log_beside(db_path: str) -> Path:
    """Send the server's log to ``trackside-serve.log`` beside the event file; one line per problem on screen."""
    path = Path(db_path).resolve().with_name("trackside-serve.log")
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    try:
        file_handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        import tempfile

        path = Path(tempfile.gettempdir()) / "trackside-serve.log"
        file_handler = logging.FileHandler(path, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    console.setFormatter(_OneLine(path))
    root.handlers = [file_handler, console]
    return path


def serve(db_path: str, *, host: str, port: int, lang: str, echo: Callable[[str], None]) -> None:
    """Run the venue server until interrupted."""
    import uvicorn

    from competition.event import Event
    from competition.venue_status import mark_serving, unmark_serving
    from competition.web.app import create_app

    Event.open(db_path).close()  # a missing or damaged file is one clear line, before binding
    sock = bind(host, port)
    port = sock.getsockname()[1]
    urls = urls_for(host, port)
    say = (lambda zh, en: en) if lang == "en" else (lambda zh, en: zh)
    echo(say("Trackside 现场服务器已启动，观众和裁判的手机请访问：", "Trackside venue server running. Phones on the venue Wi-Fi open:"))
    for url in urls:
        echo(f"  {url}")
    if host in ("0.0.0.0", "::", ""):
        echo(say("注意：正在所有网络接口上提供服务，同一网络中的任何设备都能访问公开页面。",
                 "Warning: serving on every network interface; any device on these networks can open the public pages."))
    echo(terminal_qr(urls[0]))
    echo(say("大屏：/board    颁奖：/board?mode=awards    裁判：/judge（用 trackside judges 打印裁判码）    按 Ctrl+C 停止",
             "Board: /board    Ceremony: /board?mode=awards    Judges: /judge (print PINs with trackside judges)    Ctrl+C stops"))
    mark_serving(db_path, urls)
    try:
        log_beside(db_path)
        config = uvicorn.Config(create_app(db_path, lang=lang), log_config=None, log_level="warning",
                                access_log=False, lifespan="on", timeout_graceful_shutdown=2)
        try:
            uvicorn.Server(config).run(sockets=[sock])
        except KeyboardInterrupt:
            pass  # Ctrl-C is how the organizer stops it
        echo(say("现场服务器已停止。", "Venue server stopped."))
    finally:
        unmark_serving(db_path)
        sock.close()
    sys.stdout.flush()
