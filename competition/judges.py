"""Segment judges' tokens: one per segment (and one for the head referee).

A token is what a judge's phone shows the venue server to write calls for
her segment. It is printed on her paper sheet as a QR code and as a PIN
(``K7QF-M2XD``). Issuing and revoking are journal rows, so who could write
what, and since when, stays on the record. The token's secret lives in the
event file (the organizer's own file, like the phone numbers); no public page
or API ever returns it.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused, require_reason

if TYPE_CHECKING:
    from competition.event import Event

HEAD_REFEREE = "*"
SATELLITE = "track:"  # a second laptop's token: ``track:2`` forwards impulses for track 2
# No 0/O, 1/I/L: a PIN read off paper in the sun is typed right the first time.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_TOKEN_CHARS = 8


@dataclass(frozen=True, slots=True)
class JudgeToken:
    token_id: str
    segment: str  # a segment code, or HEAD_REFEREE for every segment
    token: str
    issued_seq: int

    @property
    def pin(self) -> str:
        """The token as printed for typing: two groups of four."""
        return f"{self.token[:4]}-{self.token[4:]}"

    def covers(self, segment: str) -> bool:
        return self.segment in (HEAD_REFEREE, segment)

    @property
    def satellite_track(self) -> int | None:
        """The track a satellite timing laptop with this token forwards impulses for (else None)."""
        if self.segment.startswith(SATELLITE):
            return int(self.segment[len(SATELLITE):])
        return None


def normalise_token(text: str) -> str:
    """What a judge typed or scanned -> the token: case, spaces and dashes ignored."""
    return "".join(ch for ch in text.upper() if ch.isalnum())[: _TOKEN_CHARS * 2]


def _new_token() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(_TOKEN_CHARS))


def _row(r: dict[str, Any]) -> JudgeToken:
    return JudgeToken(r["token_id"], r["segment"], r["token"], r["issued_seq"])


def active_tokens(event: Event) -> list[JudgeToken]:
    """Unrevoked tokens in course order (head referee last)."""
    rows = event.store.query("SELECT * FROM judge_tokens WHERE revoked = 0 ORDER BY issued_seq")
    order = {s.code: i for i, s in enumerate(event.course.all_segments())}
    return sorted((_row(r) for r in rows), key=lambda t: (order.get(t.segment, len(order)), t.issued_seq))


def _segment_codes(event: Event) -> list[str]:
    return [s.code for s in event.course.all_segments()]


def issue_tokens(event: Event) -> list[JudgeToken]:
    """A token for every segment (and the head referee) that has none; returns all active ones."""
    with event.store.transaction():
        have = {t.segment for t in active_tokens(event)}
        for segment in [*_segment_codes(event), HEAD_REFEREE]:
            if segment not in have:
                _issue(event, segment)
    return active_tokens(event)


def _issue(event: Event, segment: str) -> None:
    count = event.store.query("SELECT COUNT(*) AS n FROM judge_tokens WHERE segment = ?", (segment,))[0]["n"]
    label = "head" if segment == HEAD_REFEREE else segment.replace(":", "")
    event.store.append("judge_token_issued", {
        "token_id": f"{label}-{int(count) + 1}", "segment": segment, "token": _new_token(),
    })


def issue_satellite_token(event: Event, track: int) -> JudgeToken:
    """The token a second timing laptop uses to forward ``track``'s impulses to this hub."""
    if not 1 <= track <= 99:
        raise CommandRefused(f"赛道号必须在 1–99 之间（收到 {track}）。", f"The track must be 1–99 (got {track}).")
    segment = f"{SATELLITE}{track}"
    with event.store.transaction():
        if not any(t.segment == segment for t in active_tokens(event)):
            _issue(event, segment)
    return next(t for t in active_tokens(event) if t.segment == segment)


def revoke_token(event: Event, segment: str, *, reason: str, reissue: bool = True) -> JudgeToken | None:
    """Revoke a segment's token (a lost phone, a judge replaced) and, by default, issue a new one."""
    require_reason(reason)
    segment = HEAD_REFEREE if segment in ("head", HEAD_REFEREE) else segment
    if segment != HEAD_REFEREE and segment not in _segment_codes(event) and not segment.startswith(SATELLITE):
        names = "、".join(_segment_codes(event))
        raise CommandRefused(f"没有赛段「{segment}」。可用赛段：{names}、head", f"No segment {segment!r}. Segments: {names}, head")
    with event.store.transaction():
        for t in active_tokens(event):
            if t.segment == segment:
                event.store.append("judge_token_revoked", {"token_id": t.token_id, "reason": reason})
        if reissue:
            _issue(event, segment)
    fresh = [t for t in active_tokens(event) if t.segment == segment]
    return fresh[0] if fresh else None


def token_for(event: Event, presented: str) -> JudgeToken | None:
    """The active token matching what a phone presented, compared in constant time."""
    wanted = normalise_token(presented).encode()
    found: JudgeToken | None = None
    for t in active_tokens(event):
        # Compare against every token, never stopping early: the time taken says nothing.
        if hmac.compare_digest(t.token.encode(), wanted):
            found = t
    return found
