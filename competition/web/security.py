"""What keeps the venue server safe on an open Wi-Fi: limits, headers, no cross-site access.

* Public routes only read. Writes need a judge's token in ``Authorization:
  Bearer``; no cookie is ever set, so there is nothing for another site to
  ride on (no CSRF surface), and no CORS header is sent, so other origins
  cannot read answers.
* Request bodies are capped; clients are rate limited per address (writes
  and PIN attempts far tighter than reads).
* Every page carries a Content-Security-Policy that allows only this
  server's own scripts and styles (no CDN, no inline script).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 4096
# A satellite's batch of impulses (up to 500, with their raw bytes) is the one big body.
BIG_BODY_PATHS = {"/api/impulses": 1 << 20}
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self';"
     b" frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """A token bucket per client address: ``rate`` per second, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: int, *, max_clients: int = 10_000) -> None:
        self.rate = rate
        self.burst = burst
        self.max_clients = max_clients
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                if len(self._buckets) >= self.max_clients:
                    self._buckets.clear()  # a flood of addresses: start over rather than grow
                bucket = self._buckets[client] = _Bucket(float(self.burst), now)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
            if bucket.tokens < 1:
                return False
            bucket.tokens -= 1
            return True


class GuardMiddleware:
    """Body cap, per-address rate limits and security headers on every HTTP answer."""

    def __init__(self, app: ASGIApp, *, reads: RateLimiter, writes: RateLimiter) -> None:
        self.app = app
        self.reads = reads
        self.writes = writes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        method = scope.get("method", "GET")
        # A satellite catching up after an outage posts batch after batch: it is paced by its token, not here.
        bulk = scope.get("path", "") in BIG_BODY_PATHS
        limiter = self.reads if method in ("GET", "HEAD") or bulk else self.writes
        if method not in ("GET", "HEAD", "POST"):
            await _plain(send, 405, "method not allowed")
            return
        if not limiter.allow(client):
            await _plain(send, 429, "too many requests, slow down / 请求过于频繁")
            return
        limit = BIG_BODY_PATHS.get(scope.get("path", ""), MAX_BODY_BYTES)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _plain(send, 413, "request too large / 请求过大")
            return

        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"access-control-allow-origin"]
                message["headers"] = headers + SECURITY_HEADERS
            await send(message)

        try:
            await self.app(scope, bounded_receive, with_headers)
        except BodyTooLarge:
            if not started:
                await _plain(send, 413, "request too large / 请求过大")
        except Exception:
            # The client already has its one-line answer (app's error handler); the
            # traceback goes to the server's log file, never to a client or the console.
            log.exception("request failed: %s %s", method, scope.get("path"))
            if not started:
                await _plain(send, 500, "server error (logged) / 服务器内部错误，已记录")


class BodyTooLarge(Exception):
    pass


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 1 << 30
    return None


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})
