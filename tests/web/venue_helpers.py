"""A venue server on loopback for tests: real uvicorn, real sockets, a thread of its own."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from competition.event import Event
from competition.start_queue import check_in
from competition.timing import record_impulse
from hardware.impulse import Channel, Impulse
from tests.web_free_helpers import pad_impulse

S = 1_000_000_000


def pad(channel: Channel, host_ns: int, seq: int) -> Impulse:
    return pad_impulse(channel, host_ns, seq, device="pad:web")


class Track:
    """Plays a pad box on track 1: starts and finishes at host times the test chooses."""

    def __init__(self, event: Event) -> None:
        self.event = event
        self.seq = 0

    def start(self, now_ns: int) -> None:
        self.seq += 1
        record_impulse(self.event, pad(Channel.START, now_ns, self.seq), track=1)

    def finish(self, now_ns: int) -> None:
        self.seq += 1
        record_impulse(self.event, pad(Channel.FINISH, now_ns, self.seq), track=1)


def queue(event: Event, *bibs: int) -> None:
    check_in(event, list(bibs), track=1)


@contextmanager
def serving(db_path: Path, port: int = 0) -> Iterator[str]:
    """Run the venue server on 127.0.0.1 in a thread; yields its base URL."""
    import uvicorn

    from competition.web.app import create_app
    from competition.web.server import bind

    sock = bind("127.0.0.1", port)
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(str(db_path)), log_config=None, log_level="warning", access_log=False,
                            lifespan="on", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("venue server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
