"""The hub's side of a second timing laptop: impulses in, acknowledgements out, its state kept.

A satellite authenticates with a ``track:N`` token (``trackside judges
--satellite N``) and can only forward impulses for that track. Its state
(online, backlog, last impulse) is kept in memory and in
``<event file>.satellites.json`` beside the event file, for the app's
hardware screen in another process.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from competition.errors import TracksideError
from competition.judges import JudgeToken, token_for
from competition.venue_status import satellite_states, satellites_file

if TYPE_CHECKING:
    from competition.web.app import VenueState

MAX_BATCH = 500


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status_code=status, media_type="application/json")


def routes(state: VenueState) -> list[Route]:
    seen: dict[str, dict[str, Any]] = {}

    def authorised(request: Request) -> JudgeToken | None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return None
        token = token_for(state.event(), value)
        return token if token is not None and token.satellite_track is not None else None

    def remember(token: JudgeToken, backlog: int, recorded: int) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        entry = seen.setdefault(token.token_id, {"satellite": token.token_id, "track": token.satellite_track})
        entry.update(last_seen=now, backlog=backlog, mono_s=time.monotonic())
        if recorded:
            entry["last_impulse"] = now
        path = satellites_file(state.db_path)
        tmp = path.with_name(path.name + ".tmp")
        try:
            tmp.write_text(json.dumps(list(seen.values()), ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # the hardware screen's view is a convenience; the impulses are what matter

    def refused() -> Response:
        return _json({"ok": False, "reason_zh": "副机令牌无效或已作废。", "reason_en": "Satellite token not valid."}, 401)

    async def ack(request: Request) -> Response:
        from competition.satellite import acked_through

        def read() -> Response:
            token = authorised(request)
            if token is None:
                return refused()
            return _json({"ok": True, "acked_through": acked_through(state.event(), token.token_id)})

        return await run_in_threadpool(read)

    async def impulses(request: Request) -> Response:
        from competition.satellite import accept_impulses

        try:
            body = json.loads(await request.body() or b"{}")
            items = body["impulses"]
            now_ns = int(body["now_ns"])
            backlog = int(body.get("backlog", 0))
            if not isinstance(items, list) or len(items) > MAX_BATCH:
                raise ValueError("impulses must be a list of at most 500")
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            return _json({"ok": False, "reason_zh": f"格式错误：{exc}", "reason_en": f"Malformed: {exc}"}, 400)

        def write() -> Response:
            token = authorised(request)
            if token is None:
                return refused()
            event = state.event()
            event.store.operator = f"satellite {token.token_id}"
            try:
                answer = accept_impulses(event, satellite=token.token_id, track=token.satellite_track or 0,
                                         items=items, satellite_now_ns=now_ns)
            except TracksideError as exc:
                return _json({"ok": False, "reason_zh": exc.message_zh, "reason_en": exc.message_en}, 409)
            remember(token, backlog, answer["recorded"])
            return _json(answer)

        return await run_in_threadpool(write)

    async def listing(request: Request) -> Response:
        return _json({"satellites": satellite_states(state.db_path)})

    return [
        Route("/api/impulses/ack", ack),
        Route("/api/impulses", impulses, methods=["POST"]),
        Route("/api/satellites", listing),
    ]
