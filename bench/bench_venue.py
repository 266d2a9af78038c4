"""The venue server under a venue's load, on loopback, bounded in count and time.

A server process (``trackside serve``) on an event with 500 riders; beside it,
in this process, a timing pipeline thread starting and finishing riders
(durable journal commits, as the recorder makes them), 300 public SSE clients
and 6 segment judges posting calls (a tenth of them sent twice, as a phone
resending after a timeout does). Prints:
  * journal commit -> SSE event received by the clients, p50/p95;
  * the timing pipeline's commit latency without the server, and with it under load;
  * calls acknowledged, calls recorded (must be equal: none lost, none doubled);
  * the server process's memory (RSS now and peak).
Environment: BENCH_SECONDS (default 120), BENCH_CLIENTS (300), BENCH_JUDGES (6).
Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

S = 1_000_000_000
SECONDS = int(os.environ.get("BENCH_SECONDS", 120))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 300))
JUDGES = int(os.environ.get("BENCH_JUDGES", 6))
SEGMENTS = ["danbian", "xiankuan", "swan", "raogan", "xinhaodeng", "qifu"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def make_event(folder: Path) -> Path:
    from competition.event import Event
    from competition.start_queue import check_in
    from courses.loader import load_course

    path = folder / "venue.db"
    ev = Event.create(path, title="现场服务器压力测试", course=load_course(None), day="2026-12-01")
    with ev.store.transaction():
        for bib in range(1, 501):
            ev.store.append("entrant_registered", {
                "bib": bib, "name": f"选手{bib}", "phone": f"139{bib:08d}", "gender": None, "platform": "美团",
                "station": f"站点{bib % 9}", "id_number": None, "note": None, "extra": {}, "initials": f"xs{bib}"})
    check_in(ev, list(range(1, 501)), track=1)
    ev.close()
    return path


def infractions() -> dict[str, list[str]]:
    from courses.loader import load_course

    course = load_course(None)
    return {s.code: [i.code for i in s.infractions if not i.eliminates] for s in course.all_segments()}


class Pipeline(threading.Thread):
    """Starts a rider every 2.5 s, finishes each 45 s later: commits like the recorder's."""

    def __init__(self, path: Path, seconds: float) -> None:
        super().__init__(daemon=True)
        self.path, self.seconds = path, seconds
        self.commits: list[tuple[float, int, float]] = []  # (t_commit monotonic s, bib started, commit seconds)

    def run(self) -> None:
        from competition.event import Event
        from competition.timing import record_impulse
        from hardware.impulse import Channel
        from tests.web.venue_helpers import pad

        ev = Event.open(self.path, terminal="bench-recorder")
        seq = 0
        starts: list[float] = []
        end = time.monotonic() + self.seconds
        next_start = time.monotonic()
        while time.monotonic() < end:
            now = time.monotonic()
            if starts and now - starts[0] >= 45:
                starts.pop(0)
                seq += 1
                record_impulse(ev, pad(Channel.FINISH, time.monotonic_ns(), seq), track=1)
            if now >= next_start:
                seq += 1
                t0 = time.monotonic()
                outcome = record_impulse(ev, pad(Channel.START, time.monotonic_ns(), seq), track=1)
                t1 = time.monotonic()
                self.commits.append((t1, outcome.bib or 0, t1 - t0))
                starts.append(now)
                next_start += 2.5
            time.sleep(0.01)
        ev.close()


def bare_commit_latency(path: Path, n: int = 40) -> list[float]:
    """The same durable start commits with no server running (a copy of the event)."""
    import shutil

    from competition.event import Event
    from competition.timing import record_impulse
    from hardware.impulse import Channel
    from tests.web.venue_helpers import pad

    copy = path.with_name("bare.db")
    shutil.copy(path, copy)
    ev = Event.open(copy, terminal="bench-bare")
    out = []
    for i in range(n):
        t0 = time.monotonic()
        record_impulse(ev, pad(Channel.START, time.monotonic_ns(), 10_000 + i), track=1)
        out.append(time.monotonic() - t0)
        time.sleep(0.05)
    ev.close()
    return out


async def sse_client(url: str, seen: dict[int, list[float]], stop: asyncio.Event) -> None:
    import httpx

    async with httpx.AsyncClient(timeout=None) as client:
        async with client.stream("GET", url + "/api/events") as stream:
            known: set[int] = set()
            async for line in stream.aiter_lines():
                if stop.is_set():
                    return
                if not line.startswith("data:"):
                    continue
                now = time.monotonic()
                live = json.loads(line[5:])["live"]
                for r in live["on_course"]:
                    if r["bib"] not in known:
                        known.add(r["bib"])
                        seen.setdefault(r["bib"], []).append(now)


async def judge(url: str, token: str, segment: str, codes: list[str], stop: asyncio.Event,
                acked: set[str], refused: list[str]) -> None:
    import httpx

    rng = random.Random(segment)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        while not stop.is_set():
            await asyncio.sleep(rng.uniform(1.5, 4.5))
            riders = (await client.get("/api/judge/riders")).json()["riders"]
            on = [r for r in riders if r["state"] == "on_course"]
            if not on:
                continue
            body = {"call_id": secrets.token_hex(12), "bib": rng.choice(on)["bib"], "segment": segment,
                    "code": rng.choice(codes), "count": 1}
            for _ in range(2 if rng.random() < 0.1 else 1):  # a resend after a "timeout"
                answer = await client.post("/api/calls", json=body)
                if answer.status_code == 200:
                    acked.add(body["call_id"])
                else:
                    refused.append(answer.text)


def rss_kib(pid: int) -> tuple[int, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def main() -> None:
    from competition.event import Event
    from competition.judges import issue_tokens

    folder = Path(tempfile.mkdtemp(prefix="bench-venue-"))
    path = make_event(folder)
    bare = bare_commit_latency(path)
    with Event.open(path) as ev:
        tokens = {t.segment: t.token for t in issue_tokens(ev)}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", str(path), "serve", "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(200):
            try:
                httpx.get(url + "/api/live", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        seen: dict[int, list[float]] = {}
        acked: set[str] = set()
        refused: list[str] = []
        codes = infractions()

        async def load() -> Pipeline:
            stop = asyncio.Event()
            clients = [asyncio.create_task(sse_client(url, seen, stop)) for _ in range(CLIENTS)]
            await asyncio.sleep(3)  # everyone connected
            pipeline = Pipeline(path, SECONDS)
            pipeline.start()
            judges = [asyncio.create_task(judge(url, tokens[seg], seg, codes[seg], stop, acked, refused))
                      for seg in SEGMENTS[:JUDGES]]
            while pipeline.is_alive():
                await asyncio.sleep(0.5)
            stop.set()
            await asyncio.gather(*judges)  # each finishes the call it is making: every answer is read
            for task in clients:
                task.cancel()
            await asyncio.gather(*clients, return_exceptions=True)
            return pipeline

        pipeline = asyncio.run(load())
        rss, peak = rss_kib(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()

    delays = []
    for t_commit, bib, _ in pipeline.commits:
        for t_seen in seen.get(bib, []):
            if t_seen >= t_commit - 0.001:
                delays.append((t_seen - t_commit) * 1000)
    with Event.open(path) as ev:
        recorded = ev.store.query("SELECT COUNT(*) AS n, COUNT(DISTINCT call_id) AS d FROM remote_calls")[0]
    loaded = [c for _, _, c in pipeline.commits]
    print(f"{CLIENTS} SSE clients, {JUDGES} judges, {SECONDS} s, {len(pipeline.commits)} starts")
    print(f"BENCH|commit -> SSE received p50 / p95 ({len(delays)} deliveries)|"
          f"{percentile(delays, 0.5):.0f} / {percentile(delays, 0.95):.0f} ms|within 1 s")
    print(f"BENCH|timing commit p50 / p99, no server (baseline)|"
          f"{statistics.median(bare) * 1000:.2f} / {percentile(bare, 0.99) * 1000:.2f} ms|")
    print(f"BENCH|timing commit p50 / p99, server under load|"
          f"{statistics.median(loaded) * 1000:.2f} / {percentile(loaded, 0.99) * 1000:.2f} ms|≈ baseline")
    print(f"BENCH|calls acknowledged / recorded / distinct|{len(acked)} / {recorded['n']} / {recorded['d']}|equal")
    print(f"BENCH|calls refused (rider just finished etc.)|{len(refused)}|")
    print(f"BENCH|server memory RSS now / peak|{rss // 1024} / {peak // 1024} MiB|")
    if len(acked) != recorded["n"] or recorded["n"] != recorded["d"]:
        sys.exit("calls lost or doubled")


if __name__ == "__main__":
    main()
