"""The judges' API: a PIN check, the riders a judge may call, calls and undo.

Every route here needs ``Authorization: Bearer <token>`` (the PIN check takes
the PIN in its body instead). Tokens are compared in constant time
(``competition.judges.token_for``); a wrong PIN costs from a tight per-address
budget. The journal row of a call names the judge's token and the device.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from competition.errors import CommandRefused, TracksideError
from competition.judges import HEAD_REFEREE, JudgeToken, token_for

if TYPE_CHECKING:
    from competition.event import Event
    from competition.web.app import VenueState


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status_code=status, media_type="application/json")


def _refused(zh: str, en: str, status: int) -> Response:
    return _json({"ok": False, "reason_zh": zh, "reason_en": en}, status)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def _body(request: Request) -> dict[str, Any] | None:
    try:
        data = json.loads(await request.body() or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _device(request: Request) -> str:
    client = request.client.host if request.client else "?"
    agent = request.headers.get("user-agent", "")[:80]
    return f"{client} {agent}".strip()


def segment_info(event: Event, token: JudgeToken) -> dict[str, Any]:
    """The judge's segment(s) with their infractions, for the buttons."""
    segments = [s for s in event.course.all_segments() if token.covers(s.code)]
    return {
        "token_id": token.token_id, "segment": token.segment, "head_referee": token.segment == HEAD_REFEREE,
        "title": event.title,
        "segments": [
            {"code": s.code, "name_zh": s.name_zh, "name_en": s.name_en,
             "infractions": [{"code": i.code, "name_zh": i.name_zh, "name_en": i.name_en,
                              "seconds_ns": i.penalty_ns, "eliminates": i.eliminates} for i in s.infractions]}
            for s in segments
        ],
    }


def riders_for(event: Event) -> list[dict[str, Any]]:
    """The riders a judge may call now, with their standing calls."""
    from competition.remote_calls import LATE_CALL_GRACE_S, calls_of, eligible_runs

    return [
        {"bib": r["bib"], "name": r["name"], "track": r["track"], "state": r["state"],
         "confirmed": bool(r["confirmed"]), "grace_s": LATE_CALL_GRACE_S, "calls": calls_of(event, r["bib"])}
        for r in reversed(eligible_runs(event))
    ]


def routes(state: VenueState) -> list[Route]:
    def authorised(request: Request) -> JudgeToken | None:
        presented = _bearer(request)
        return token_for(state.event(), presented) if presented else None

    async def session(request: Request) -> Response:
        client = request.client.host if request.client else "?"
        if not state.pin_attempts.allow(client):
            return _refused("尝试次数过多，请稍后再试。", "Too many attempts; wait a minute.", 429)
        body = await _body(request)
        pin = body.get("pin") if body else None
        if not isinstance(pin, str) or not pin.strip():
            return _refused("请输入裁判码。", "Enter the judge PIN.", 400)

        def check() -> dict[str, Any] | None:
            token = token_for(state.event(), pin)
            return {**segment_info(state.event(), token), "token": token.token} if token else None

        info = await run_in_threadpool(check)
        if info is None:
            return _refused("裁判码无效或已作废。", "That PIN is not valid (or was revoked).", 401)
        return _json(info)

    async def riders(request: Request) -> Response:
        def read() -> dict[str, Any] | None:
            token = authorised(request)
            if token is None:
                return None
            return {**segment_info(state.event(), token), "riders": riders_for(state.event())}

        data = await run_in_threadpool(read)
        if data is None:
            return _refused("裁判码无效或已作废。", "That token is not valid (or was revoked).", 401)
        return _json(data)

    async def call(request: Request) -> Response:
        from competition.remote_calls import record_call

        body = await _body(request)
        if body is None:
            return _refused("请求格式错误（应为 JSON 对象）。", "The body must be a JSON object.", 400)
        device = _device(request)

        def write() -> Response:
            token = authorised(request)
            if token is None:
                return _refused("裁判码无效或已作废。", "That token is not valid (or was revoked).", 401)
            try:
                bib, count = body.get("bib"), body.get("count", 1)
                segment, code = body.get("segment"), body.get("code")
                if not (isinstance(bib, int) and not isinstance(bib, bool) and 0 < bib < 2**31):
                    raise CommandRefused("号码无效。", "Invalid bib.")
                if not (isinstance(count, int) and not isinstance(count, bool)):
                    raise CommandRefused("次数无效。", "Invalid count.")
                if not (isinstance(segment, str) and isinstance(code, str)) or len(segment) > 40 or len(code) > 40:
                    raise CommandRefused("赛段或违规无效。", "Invalid segment or infraction.")
                event = state.event()
                event.store.operator = f"judge {token.token_id}"
                receipt = record_call(event, token, call_id=body.get("call_id"), bib=bib, segment=segment,
                                      code=code, count=count, device=device)
            except TracksideError as exc:
                return _json({"ok": False, "reason_zh": exc.message_zh, "reason_en": exc.message_en}, 409)
            return _json(receipt.as_json())

        return await run_in_threadpool(write)

    async def undo(request: Request) -> Response:
        from competition.remote_calls import undo_call

        body = await _body(request)
        if body is None:
            return _refused("请求格式错误（应为 JSON 对象）。", "The body must be a JSON object.", 400)

        def write() -> Response:
            token = authorised(request)
            if token is None:
                return _refused("裁判码无效或已作废。", "That token is not valid (or was revoked).", 401)
            try:
                event = state.event()
                event.store.operator = f"judge {token.token_id}"
                return _json(undo_call(event, token, call_id=body.get("call_id")))
            except TracksideError as exc:
                return _json({"ok": False, "reason_zh": exc.message_zh, "reason_en": exc.message_en}, 409)

        return await run_in_threadpool(write)

    return [
        Route("/api/judge/session", session, methods=["POST"]),
        Route("/api/judge/riders", riders),
        Route("/api/calls", call, methods=["POST"]),
        Route("/api/calls/undo", undo, methods=["POST"]),
    ]
