"""The venue server's routes: public pages and JSON, the live stream, the judges' API.

Public routes only read and never serve a full phone number, an ID number,
an operator or a terminal. The judges' writes go through ``/api/calls`` with
the segment token as a bearer token (see ``competition.remote_calls``).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from competition.errors import TracksideError
from competition.event import Event
from competition.web.follower import EventFollower, Snapshot
from competition.web.security import GuardMiddleware, RateLimiter
from competition.web.words import WORDS, word

HERE = Path(__file__).parent
PING_S = 15


class VenueState:
    """What the routes share: the follower, per-thread event handles, the language default."""

    def __init__(self, db_path: str, lang: str) -> None:
        self.db_path = db_path
        self.lang = lang
        self.follower = EventFollower(db_path)
        self._local = threading.local()
        self.pin_attempts = RateLimiter(rate=0.2, burst=5)
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
            undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        )

    def event(self) -> Event:
        """This worker thread's own handle on the event file (SQLite connections stay in their thread)."""
        event = getattr(self._local, "event", None)
        if event is None:
            event = self._local.event = Event.open(self.db_path, terminal="venue-server")
        return event


def _lang(request: Request, state: VenueState) -> str:
    lang = request.query_params.get("lang", state.lang)
    return "en" if lang == "en" else "zh"


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status_code=status, media_type="application/json")


def _refusal(exc: TracksideError, status: int = 409) -> Response:
    return _json({"ok": False, "reason_zh": exc.message_zh, "reason_en": exc.message_en}, status)


def _page(state: VenueState, request: Request, name: str, **context: Any) -> HTMLResponse:
    lang = _lang(request, state)

    def t(key: str, **values: object) -> str:
        return word(key, lang, **values)

    other = "zh" if lang == "en" else "en"
    # The words the page's script needs, inside a JSON script block ("</" escaped).
    words_json = json.dumps({k: word(k, lang) for k in WORDS}, ensure_ascii=False).replace("</", "<\\/")
    context.setdefault("title", state.follower.snapshot.data["title"])
    html = state.templates.get_template(name).render(
        t=t, lang=lang, other_lang=other, path=request.url.path, words_json=words_json, **context)
    return HTMLResponse(html)


def _live_bytes(snap: Snapshot) -> bytes:
    age = time.monotonic_ns() - snap.taken_ns  # clocks of riders on course run on from the snapshot
    return b'{"age_ns":%d,"live":' % age + snap.live_bytes + b"}"


def create_app(db_path: str, *, lang: str = "zh") -> Starlette:
    state = VenueState(db_path, lang)

    @asynccontextmanager
    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        await run_in_threadpool(state.follower.start, asyncio.get_running_loop())
        try:
            yield
        finally:
            state.follower.stop()

    async def index(request: Request) -> Response:
        from results.live import search_public

        snap = state.follower.snapshot
        query = request.query_params.get("q", "").strip()[:40]
        found = await run_in_threadpool(lambda: search_public(state.event(), query)) if query else []
        return _page(state, request, "index.html", live=snap.data, query=query, found=found)

    async def rider_page(request: Request) -> Response:
        from results.live import rider_view

        bib = _bib(request.path_params["bib"])
        view = await run_in_threadpool(lambda: rider_view(state.event(), bib)) if bib is not None else None
        return _page(state, request, "rider.html", rider=view, bib=request.path_params["bib"])

    async def board(request: Request) -> Response:
        mode = "awards" if request.query_params.get("mode") == "awards" else "live"
        return _page(state, request, "board.html", live=state.follower.snapshot.data, mode=mode)

    async def judge_page(request: Request) -> Response:
        return _page(state, request, "judge.html")

    async def api_live(request: Request) -> Response:
        return Response(_live_bytes(state.follower.snapshot), media_type="application/json")

    async def api_standings(request: Request) -> Response:
        round_code = request.query_params.get("round")
        snap = state.follower.snapshot
        if not round_code or round_code == snap.data["round"]:
            return Response(snap.standings_bytes, media_type="application/json")

        def other_round() -> dict[str, Any]:
            from results.live import public_standings
            from results.standings import build_standings

            event = state.event()
            return public_standings(build_standings(event, event.require_round(round_code)))

        try:
            return _json(await run_in_threadpool(other_round))
        except TracksideError as exc:
            return _refusal(exc, 404)

    async def api_on_course(request: Request) -> Response:
        from results.live import on_course_now

        return _json({"on_course": await run_in_threadpool(lambda: on_course_now(state.event()))})

    async def api_rider(request: Request) -> Response:
        from results.live import rider_view

        bib = _bib(request.path_params["bib"])
        view = await run_in_threadpool(lambda: rider_view(state.event(), bib)) if bib is not None else None
        if view is None:
            return _json({"ok": False, "reason_zh": word("no_rider", "zh"), "reason_en": word("no_rider", "en")}, 404)
        return _json(view)

    async def api_search(request: Request) -> Response:
        from results.live import search_public

        query = request.query_params.get("q", "")
        return _json({"riders": await run_in_threadpool(lambda: search_public(state.event(), query))})

    async def api_awards(request: Request) -> Response:
        from results.live import award_ceremony

        return _json(await run_in_threadpool(lambda: award_ceremony(state.event())))

    async def api_events(request: Request) -> Response:
        queue = state.follower.subscribe()

        async def stream():  # type: ignore[no-untyped-def]
            try:
                yield {"event": "live", "data": _live_bytes(state.follower.snapshot).decode()}
                while True:
                    snap = await queue.get()
                    yield {"event": "live", "id": str(snap.version), "data": _live_bytes(snap).decode()}
            finally:
                state.follower.unsubscribe(queue)

        return EventSourceResponse(stream(), ping=PING_S, headers={"cache-control": "no-store"})

    from competition.web import judging_routes, satellite_routes

    routes = [
        Route("/", index),
        Route("/rider/{bib}", rider_page),
        Route("/board", board),
        Route("/judge", judge_page),
        Route("/api/live", api_live),
        Route("/api/standings", api_standings),
        Route("/api/on-course", api_on_course),
        Route("/api/rider/{bib}", api_rider),
        Route("/api/search", api_search),
        Route("/api/awards", api_awards),
        Route("/api/events", api_events),
        *judging_routes.routes(state),
        *satellite_routes.routes(state),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={Exception: _server_error})
    app.state.venue = state
    return GuardMiddleware(app, reads=RateLimiter(rate=50, burst=200), writes=RateLimiter(rate=5, burst=30))  # type: ignore[return-value]


def _bib(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 6 else None


async def _server_error(request: Request, exc: Exception) -> Response:
    """Never a traceback to a client: one line (the guard logs the traceback to the server's log)."""
    return JSONResponse({"ok": False, "reason_zh": "服务器内部错误，已记录。", "reason_en": "Server error (logged)."},
                        status_code=500)
